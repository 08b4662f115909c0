import TierwiseAnalytics

/// Hand-made customers: folds transactions into activities and builds a feature table, the
/// way ingest does, without files.
struct Bank {
    let window: AnalysisWindow
    var ids: [String] = []
    var profiles: [CustomerProfile] = []
    var activity: [CustomerActivity] = []
    var accounts: [AccountState] = []
    var hasAccounts = true

    init(asOf: String = "2026-10-31") { window = AnalysisWindow(asOf: Day(asOf)!) }

    var asOf: Day { window.asOf }

    @discardableResult
    mutating func customer(_ id: String, profile: CustomerProfile = CustomerProfile()) -> Int {
        ids.append(id)
        profiles.append(profile)
        activity.append(CustomerActivity())
        return ids.count - 1
    }

    mutating func txn(_ c: Int, daysAgo: Int, amount: Double, type: TransactionType = .card, channel: Channel? = .pos, account: Int? = nil) {
        let t = Transaction(day: asOf - daysAgo, amount: Int64((amount * 10_000).rounded()), type: type, channel: channel)
        activity[c].fold(t, window: window)
        if let account { accounts[account].fold(day: t.day, amount: t.amount, window: window) }
    }

    @discardableResult
    mutating func account(_ c: Int, _ product: Product, balance: Double, openedDaysAgo: Int = 2000, closedDaysAgo: Int? = nil, rate: Double = 0) -> Int {
        accounts.append(AccountState(customer: Int32(c), product: product, openedOn: asOf - openedDaysAgo, closedOn: closedDaysAgo.map { asOf - $0 },
                                     balance: Int64((balance * 10_000).rounded()), interestRate: rate, creditLimit: nil))
        return accounts.count - 1
    }

    func table() -> FeatureTable {
        FeatureTable.build(ids: ids, profiles: ProfileTable(profiles), activity: activity, accounts: accounts, window: window,
                           hasAccounts: hasAccounts, hasCustomers: true, hasChannel: true, hasFees: true, hasTypes: true)
    }
}
