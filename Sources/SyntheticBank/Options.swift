/// Parameters of one generated dump. Same options → byte-identical output.
public struct GeneratorOptions: Sendable, Equatable {
    /// Number of customers (rows in customers.csv).
    public var customers: Int
    /// Months of history before the as-of date (1...1200).
    /// Transactions are booked in [asOf.adding(months: -months) + 1 day, asOf].
    public var months: Int
    public var seed: UInt64
    /// Snapshot date; balances in accounts.csv are as of this day. Default 2026-10-31.
    public var asOf: CivilDate
    /// Number of deliberately invalid transaction rows to intersperse (see `BadRowKind`).
    public var badRows: Int
    /// Shares of behavioural archetypes.
    public var mix: BehaviourMix
    /// Multiplier on discretionary (customer-initiated) activity; 1 = realistic volumes
    /// (~12 rows per active customer-month on average). Smaller values give smaller files
    /// with the same customers, accounts and archetypes.
    public var activityScale: Double

    public init(customers: Int = 1_000, months: Int = 12, seed: UInt64 = 1,
                asOf: CivilDate = CivilDate(year: 2026, month: 10, day: 31),
                badRows: Int = 0, mix: BehaviourMix = BehaviourMix(), activityScale: Double = 1) {
        self.customers = customers
        self.months = months
        self.seed = seed
        self.asOf = asOf
        self.badRows = badRows
        self.mix = mix
        self.activityScale = activityScale
    }

    /// First day covered (inclusive), as a day number.
    public var firstDay: Int { asOf.adding(months: -months).daysSinceEpoch + 1 }
    /// As-of day number (inclusive).
    public var lastDay: Int { asOf.daysSinceEpoch }
}

/// Target shares of customer behaviours (fractions of all customers unless noted).
public struct BehaviourMix: Sendable, Equatable {
    /// Customers with accounts but no transactions at all.
    public var never = 0.05
    /// Customers whose transactions stop at some day; half of them 90–179 days
    /// before the as-of date (dormant: nothing in the last 90 days), half earlier.
    public var lapsed = 0.12
    /// Fraction of lapsed customers whose lapse falls 90–179 days before as-of.
    public var lapsedDormantFraction = 0.5
    /// Customers onboarded inside the period.
    public var new = 0.15
    /// Fraction of new customers onboarded within the last 180 days.
    public var newRecentFraction = 0.4
    /// Customers paid a monthly salary on the 25th into their checking account
    /// (drawn among customers who are neither `never` nor `lapsed`).
    public var salaried = 0.15
    /// Fraction of salaried customers whose last salary is 46–200 days before as-of.
    public var salaryStopFraction = 0.20
    /// Customers whose discretionary activity drops to 20–50 % in the last 90 days.
    public var activityDrop = 0.08
    /// Customers (with a savings / term deposit / investment account) who move
    /// 60–95 % of that balance out in the last 90 days.
    public var balanceDrop = 0.05
    /// Non-checking accounts that are closed; ~45 % of them in the last 90 days.
    public var closedAccount = 0.08
    /// Segments.
    public var privateBanking = 0.03
    public var sme = 0.12
    /// Fraction of SME customers with ~40x activity.
    public var heavyBusinessOfSME = 0.02
    /// Fraction of private customers holding an investment account ≥ 1,000,000.
    public var largeInvestmentOfPrivate = 0.3

    public init() {}
}

/// What was generated. Archetype counts come from the plan (what the generator
/// intended); tests verify them against the written rows.
public struct GeneratorStats: Sendable, Equatable {
    public var customers = 0
    public var accounts = 0
    /// Valid transaction rows written (excludes bad rows and the header).
    public var transactions = 0
    public var badRows = 0
    public var bytesTransactions = 0
    public var bytesAccounts = 0
    public var bytesCustomers = 0
    public var firstDay = CivilDate(year: 1970, month: 1, day: 1)
    public var lastDay = CivilDate(year: 1970, month: 1, day: 1)

    public var neverTransacting = 0
    public var lapsed = 0
    /// Lapsed with the last possible activity 91–180 days before as-of.
    public var lapsedDormant = 0
    public var newCustomers = 0
    public var newRecent = 0
    public var salaried = 0
    public var salaryStopped = 0
    public var activityDrop = 0
    public var balanceDrop = 0
    public var closedAccounts = 0
    public var closedLast90Days = 0
    public var heavyBusiness = 0
    public var largeInvestment = 0
    public var segmentRetail = 0
    public var segmentSME = 0
    public var segmentPrivate = 0

    public init() {}
}

public enum GeneratorError: Error, Equatable {
    case invalidOptions(String)
}

/// Deliberately invalid transaction rows produced when `badRows > 0`, cycling
/// in this order. Bad row k (0-based) is written after every `spacing` valid rows,
/// where spacing = max(1, expectedValidRows / (badRows + 1)); any not yet written
/// are appended at the end. All reuse the account/customer/date of the previous
/// valid row unless stated.
///
/// 0. `badDate` – booked_at `YYYY-02-30` (year of the previous row).
/// 1. `nonNumericAmount` – amount `abc`.
/// 2. `unknownAccountNoCustomer` – empty customer_id and an account id that is not
///    in accounts.csv (`A` + 9 digits above the last real account).
/// 3. `duplicateTxnId` – repeats the txn_id of the previous row (valid otherwise).
/// 4. `unknownCurrency` – currency `XYZ` (no FX rate).
/// 5. `tooFewFields` – only 5 fields: `txn_id,account_id,customer_id,booked_at,amount`.
///
/// Every bad row except `duplicateTxnId` consumes a fresh txn id, so ids stay
/// non-decreasing in file order.
public enum BadRowKind: Int, CaseIterable, Sendable {
    case badDate = 0, nonNumericAmount, unknownAccountNoCustomer, duplicateTxnId, unknownCurrency, tooFewFields
}
