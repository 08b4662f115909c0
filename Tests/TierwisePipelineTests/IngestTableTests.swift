import Foundation
import Testing
import TierwiseAnalytics
import TierwiseIO
@testable import TierwisePipeline
import TierwiseTestSupport

/// An ingest state of three customers and four accounts, whose accounts hold every kind of
/// dump value (no rate, a credit limit, a closing date) and movements from transactions.
private func ingestState() -> IngestState {
    let window = AnalysisWindow(asOf: Day("2026-10-31")!)
    let asOf = window.asOf
    var s = IngestState(window: window)
    for (id, segment) in [("C0", "retail"), ("C1", "private"), ("C2", "")] {
        let c = id.utf8CString.withUnsafeBytes { s.customerWithoutActivity(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
        s.profiles[Int(c)] = CustomerProfile(onboardedOn: Day("2020-01-0\(c + 1)"), segment: segment.isEmpty ? nil : segment,
                                             riskRating: Int8(c + 2), branch: "BR\(c)", manager: c == 2 ? nil : "M1")
    }
    s.activity = [CustomerActivity](repeating: CustomerActivity(), count: 3)
    s.activity[1].fold(Transaction(day: asOf - 4, amount: -50_000, type: .card, channel: .pos), window: window)
    s.accounts = [
        AccountState(customer: 0, product: .mortgage, openedOn: asOf - 900, closedOn: nil, balance: 2_500_000_100, interestRate: 0.031, creditLimit: nil),
        AccountState(customer: 2, product: .savings, openedOn: nil, closedOn: asOf - 1000, balance: 0, interestRate: nil, creditLimit: nil),
        AccountState(customer: 1, product: .creditCard, openedOn: asOf - 200, closedOn: nil, balance: 40_000, interestRate: 0.19, creditLimit: 500_000),
        AccountState(customer: 1, product: .checking, openedOn: asOf - 20, closedOn: nil, balance: -7, interestRate: nil, creditLimit: 0),
    ]
    s.accounts[2].fold(day: asOf - 3, amount: -12_345, window: window)
    s.accounts[3].fold(day: asOf - 10, amount: 99_999, window: window)
    s.hasAccounts = true
    s.hasCustomers = true
    return s
}

@Test func theDumpFieldsOfAnAccountAreItsOwn() {
    var accounts = ingestState().accounts
    accounts.withUnsafeMutableBufferPointer { a in
        for i in a.indices {
            let f = AccountState.dumpFields(at: a.baseAddress! + i)
            #expect(f.customer == a[i].customer && f.product == a[i].product && f.balance == a[i].balance)
            #expect(f.opened == (a[i].openedOn?.number ?? Int32.min) && f.closed == (a[i].closedOn?.number ?? Int32.min))
            #expect(f.rateOrNaN.isNaN == (a[i].interestRate == nil) && (a[i].interestRate.map { $0 == f.rateOrNaN } ?? true))
            #expect(f.limitOrMin == (a[i].creditLimit ?? Int64.min))
        }
    }
}

/// Ingest writes its table's first columns, what the dumps gave, while the transactions are
/// read, and the rest at the end (`StageStore.startIngest`). Without customers first seen in
/// the transactions the file is the one a single save writes; with one, it loads back to the
/// same state, the added customer with an empty profile.
@Test func anIngestTableStartedEarlyIsTheTableSavedAtOnce() throws {
    func saved(early: Bool, addingCustomer: Bool) throws -> (bytes: Data?, loaded: IngestState) {
        let store = StageStore(directory: TestSupport.temporaryFolder(), mode: 0o640)
        var s = ingestState()
        let started = early ? try s.accounts.withUnsafeBufferPointer {
            try store.startIngest(DumpsRead(accounts: $0, customerIds: s.customerIds, profiles: s.profiles))
        } : nil
        if addingCustomer {
            _ = "C9".utf8CString.withUnsafeBytes { s.customerWithoutActivity(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
            var added = CustomerActivity()
            added.fold(Transaction(day: s.window.asOf - 1, amount: 7_000, type: .card, channel: .online), window: s.window)
            s.activity.append(added)
        }
        try store.save(ingest: &s, continuing: started)
        try store.sync.wait()
        return (FileManager.default.contents(atPath: store.path("ingest.twk")), try store.loadIngest(window: s.window))
    }
    func ids(_ s: IngestState) -> [String] { (0..<s.customerIds.count).map { s.customerIds.id(Int32($0)) } }

    let whole = try saved(early: false, addingCustomer: false), parts = try saved(early: true, addingCustomer: false)
    #expect(whole.bytes != nil && whole.bytes == parts.bytes)
    #expect(parts.loaded.accounts == ingestState().accounts && ids(parts.loaded) == ["C0", "C1", "C2"])
    // A card is a loan: 123.45 spent with it adds to what is owed.
    #expect(parts.loaded.accounts[2].movementSinceRecentStart == 12_345)
    #expect(parts.loaded.accounts[2].laterMovementWeighted != 0 && parts.loaded.accounts[3].laterMovementWeighted != 0)

    let wholeAdded = try saved(early: false, addingCustomer: true), partsAdded = try saved(early: true, addingCustomer: true)
    for s in [wholeAdded.loaded, partsAdded.loaded] {
        #expect(ids(s) == ["C0", "C1", "C2", "C9"])
        #expect(Array(s.profiles) == Array(ingestState().profiles) + [CustomerProfile()])
        #expect(s.activity.count == 4)
        #expect(s.activity.map(\.rows) == [0, 1, 0, 1])
        #expect(s.accounts == ingestState().accounts)
    }
    #expect(partsAdded.bytes != wholeAdded.bytes)  // the added customer is in customer_id_added only when started early
}

/// A saved table whose columns do not line up (a damaged work folder) is an error naming
/// the table, never a crash on an index out of range.
@Test func anIngestTableWithColumnsOfUnequalLengthsIsAnError() throws {
    let store = StageStore(directory: TestSupport.temporaryFolder(), mode: 0o640)
    var s = ingestState()
    try store.save(ingest: &s)
    try store.sync.wait()
    let window = ingestState().window
    func load(_ edit: (inout WorkTable) -> Void) throws -> IngestState {
        var t = try WorkTable.read(store.path("ingest.twk"))
        edit(&t)
        return try IngestState(work: t, window: window, counts: [], hasAccounts: true, hasCustomers: true, transactionColumns: [])
    }
    #expect(try load { _ in }.activity.count == 3)
    #expect(throws: IOError.self) { try load { $0.put("rows", .int32([0, 1])) } }
    #expect(throws: IOError.self) { try load { $0.put("segment", .string(["retail"])) } }
    #expect(throws: IOError.self) { try load { $0.put("customer_id", .string(["C0"])) } }
}
