import Testing
import TierwiseAnalytics
import TierwiseIO
@testable import TierwisePipeline
import TierwiseTestSupport

/// Three customers out of id order: two products, none, and a closed account only.
func storedFeatureTable() -> FeatureTable {
    let window = AnalysisWindow(asOf: Day("2026-10-31")!)
    let asOf = window.asOf
    let profiles = [CustomerProfile(segment: "retail", riskRating: 3, branch: "BR1", manager: "M1"), CustomerProfile(),
                    CustomerProfile(segment: "retail", branch: "BR2", manager: "M1")]
    var activity = [CustomerActivity](repeating: CustomerActivity(), count: 3)
    activity[1].fold(Transaction(day: asOf - 4, amount: -50_000, type: .card, channel: .pos), window: window)
    let accounts = [
        AccountState(customer: 0, product: .mortgage, openedOn: asOf - 900, closedOn: nil, balance: 2_500_000_100, interestRate: 0.031, creditLimit: nil),
        AccountState(customer: 2, product: .savings, openedOn: asOf - 3000, closedOn: asOf - 1000, balance: 0, interestRate: nil, creditLimit: nil),
        AccountState(customer: 0, product: .checking, openedOn: asOf - 200, closedOn: nil, balance: 12_345_600, interestRate: 0.001, creditLimit: nil),
    ]
    return FeatureTable.build(ids: ["C2", "C0", "C1"], profiles: ProfileTable(profiles), activity: activity, accounts: accounts, window: window,
                              hasAccounts: true, hasCustomers: true, hasChannel: true, hasFees: false, hasTypes: true)
}

@Test func featuresRoundTripThroughTheWorkFolderInTheDenseLayout() throws {
    let t = storedFeatureTable()
    let store = StageStore(directory: TestSupport.temporaryFolder(), mode: 0o640)
    try store.save(features: t)
    #expect(try store.loadFeatures(window: t.window) == t)

    // The file keeps one dense column per product and plain string columns.
    let w = try WorkTable.read(store.path("features.twk"))
    let products = (0..<Product.allCases.count).flatMap { ["balance_days_\($0)", "balance_days_rate_\($0)", "balance_\($0)", "open_\($0)"] }
    #expect(w.names == ["customer_id", "manager_id", "segment", "branch", "risk_rating", "recency_days", "frequency", "monetary",
                        "repeat_days", "last_purchase_age", "first_purchase_age", "repeat_value", "recent_count", "previous_recent_count",
                        "fees"] + (0...Channel.allCases.count).map { "channel_\($0)" } + ["salary_periods", "tenure_start"] + products
                       + ["deposit_balance", "deposit_balance_recent_start", "days_since_closure", "account_count", "flags"])
    #expect(try w.string("customer_id") == ["C0", "C1", "C2"])
    #expect(try w.string("manager_id") == ["", "M1", "M1"] && w.column("segment") == .string(["", "retail", "retail"]))
    #expect(try w.int64("balance_\(Product.mortgage.rawValue)") == [0, 0, 2_500_000_100])
    #expect(try w.int32("open_\(Product.checking.rawValue)") == [0, 0, 1])
    #expect(try w.int32("open_\(Product.savings.rawValue)") == [0, 0, 0])
    let days = try w.double("balance_days_\(Product.checking.rawValue)")
    #expect(days[2] == t.holdings.balanceDays(.checking, 2) && days[2] > 0 && days[0] == 0)
}
