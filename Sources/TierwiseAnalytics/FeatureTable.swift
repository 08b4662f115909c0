/// The one wide table every later stage reads: one row per customer, sorted by customer id
/// (byte order), holding what RFM, CLV, profit, churn and tiers need and nothing per row of
/// input. Columns are arrays so the table is compact and quick to save and load.
///
/// Absent values use sentinels that the accessors turn into optionals: −1 for days and
/// counts that may be unknown, `Int32.min` for days.
public struct FeatureTable: Sendable, Equatable {
    public var window: AnalysisWindow
    public var hasAccounts: Bool
    public var hasCustomers: Bool
    /// Whether the transactions had a `channel` / `fee` / `type` column.
    public var hasChannel: Bool
    public var hasFees: Bool
    public var hasTypes: Bool

    public var ids: [String] = []
    /// Coded: a bank has a few hundred managers, fewer branches and segments, many customers.
    public var manager = CodedStrings()
    public var segment = CodedStrings()
    public var branch = CodedStrings()
    /// 1…10; 0 when unknown.
    public var riskRating: [Int8] = []

    /// Days since the last customer-initiated transaction; −1 when there was none.
    public var recencyDays: [Int32] = []
    public var frequency: [Int32] = []
    public var monetary: [Int64] = []
    /// BG/NBD inputs in days: repeat purchase days x, t_x and T; T is −1 without purchases.
    public var repeatDays: [Int32] = []
    public var lastPurchaseAgeDays: [Int32] = []
    public var firstPurchaseAgeDays: [Int32] = []
    /// Σ value of the repeat days (all purchase days but the first).
    public var repeatValue: [Int64] = []
    public var recentCount: [Int32] = []
    public var previousRecentCount: [Int32] = []
    public var fees: [Int64] = []
    /// Customer-initiated transactions in the window per channel; the last column is "no channel".
    public var channelCounts: [[Int32]] = Array(repeating: [], count: Channel.allCases.count + 1)
    public var salaryPeriods: [UInt8] = []
    /// Tenure start: onboarding day, else the earliest account opening, else the first transaction.
    public var tenureStart: [Int32] = []

    /// Per product held: balance-days, rate-weighted balance-days, balance and open accounts.
    public var holdings = ProductHoldings()
    /// Deposit balance (checking, savings, term deposits) at the as-of date and at the start of the recent period.
    public var depositBalance: [Int64] = []
    public var depositBalanceRecentStart: [Int64] = []
    /// Days since the latest account closure (−1: none), and accounts opened ever.
    public var daysSinceClosure: [Int32] = []
    public var accountCount: [Int32] = []

    public init(window: AnalysisWindow, hasAccounts: Bool, hasCustomers: Bool, hasChannel: Bool, hasFees: Bool, hasTypes: Bool) {
        self.window = window
        self.hasAccounts = hasAccounts
        self.hasCustomers = hasCustomers
        self.hasChannel = hasChannel
        self.hasFees = hasFees
        self.hasTypes = hasTypes
    }

    public var count: Int { ids.count }

    public func recency(_ i: Int) -> Int? { recencyDays[i] < 0 ? nil : Int(recencyDays[i]) }

    /// Relationship balance: deposits, investments and loans outstanding, at the as-of date.
    /// Products not held add nothing, so only the customer's holdings are summed.
    public func relationshipBalance(_ i: Int) -> Int64 {
        var total: Int64 = 0
        for e in holdings.entries(i) { total += Int64(holdings.balance[e].magnitude) }
        return total
    }

    public func openAccountTotal(_ i: Int) -> Int {
        holdings.entries(i).reduce(0) { $0 + Int(holdings.openAccounts[$1]) }
    }

    /// Salary months among the three before the recent 45 days.
    public func salaryMonthsBefore(_ i: Int) -> Int { Int((salaryPeriods[i] >> 1) & 0b111).nonzeroBitCount }
    public func salaryRecent(_ i: Int) -> Bool { salaryPeriods[i] & 1 != 0 }
}
