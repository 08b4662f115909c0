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
    for id in ["C0", "C1", "C2"] { _ = id.utf8CString.withUnsafeBytes { s.customerWithoutActivity(UnsafeRawBufferPointer(rebasing: $0.dropLast())) } }
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

/// Ingest writes its table's first columns while the transactions are read and the rest at
/// the end (`StageStore.startIngest`); the file must be the one a single save writes, and
/// load back to the same state.
@Test func anIngestTableStartedEarlyIsTheTableSavedAtOnce() throws {
    let whole = StageStore(directory: TestSupport.temporaryFolder(), mode: 0o640)
    var s = ingestState()
    try whole.save(ingest: &s)
    try whole.sync.wait()

    let parts = StageStore(directory: TestSupport.temporaryFolder(), mode: 0o640)
    var t = ingestState()
    let started = try t.accounts.withUnsafeBufferPointer { try parts.startIngest(accounts: $0) }
    try parts.save(ingest: &t, continuing: started)
    try parts.sync.wait()

    let a = FileManager.default.contents(atPath: whole.path("ingest.twk")), b = FileManager.default.contents(atPath: parts.path("ingest.twk"))
    #expect(a != nil && a == b)
    let loaded = try parts.loadIngest(window: ingestState().window)
    #expect(loaded.accounts == ingestState().accounts)
    // A card is owed money: a payment of 123.45 out lowers nothing owed, it adds to it.
    #expect(loaded.accounts[2].movementSinceRecentStart == 12_345 && loaded.accounts[2].laterMovementWeighted != 0 && loaded.accounts[3].laterMovementWeighted != 0)
}
