import LifetimeValue

/// Every threshold, weight and rate of metrics.md, with its default. The pipeline file sets
/// them; each stage fingerprints only the part it reads, so changing a tier share reruns
/// `tier` and `report` and nothing upstream.

/// A named RFM segment: the first rule whose score ranges all hold wins.
public struct SegmentRule: Sendable, Codable, Equatable {
    public var name: String
    public var r: ClosedRange<Int>
    public var f: ClosedRange<Int>
    public var m: ClosedRange<Int>

    public init(_ name: String, r: ClosedRange<Int>, f: ClosedRange<Int>, m: ClosedRange<Int>) {
        self.name = name
        self.r = r
        self.f = f
        self.m = m
    }

    public func matches(r rs: Int, f fs: Int, m ms: Int) -> Bool { r.contains(rs) && f.contains(fs) && m.contains(ms) }

    /// The default table of metrics.md (the R `rfm` package's segments).
    public static let defaults: [SegmentRule] = [
        SegmentRule("Champions", r: 5...5, f: 5...5, m: 5...5),
        SegmentRule("Potential Loyalist", r: 3...5, f: 3...5, m: 2...5),
        SegmentRule("Loyal Customers", r: 2...4, f: 2...4, m: 2...4),
        SegmentRule("Promising", r: 3...4, f: 1...3, m: 3...5),
        SegmentRule("New Customers", r: 4...5, f: 1...3, m: 1...5),
        SegmentRule("Can't Lose Them", r: 1...2, f: 3...4, m: 4...5),
        SegmentRule("At Risk", r: 1...2, f: 2...5, m: 4...5),
        SegmentRule("Need Attention", r: 1...3, f: 3...5, m: 3...5),
        SegmentRule("About To Sleep", r: 2...3, f: 1...3, m: 1...4),
        SegmentRule("Lost", r: 1...1, f: 1...5, m: 1...5),
    ]
}

public struct RFMParameters: Sendable, Codable, Equatable {
    public var segments: [SegmentRule] = SegmentRule.defaults
    public init() {}
}

/// Rates and costs for profitability. metrics.md names these parameters but gives no
/// numbers; the defaults are typical of a euro-area retail bank in 2026 and are meant to
/// be replaced by the bank's own figures (see docs/metrics-defaults.md).
public struct ProfitParameters: Sendable, Codable, Equatable {
    /// Funds-transfer-pricing rate per product, annual.
    public var ftpRates: [String: Double] = [
        "checking": 0.025, "savings": 0.030, "term_deposit": 0.032, "investment": 0.0,
        "credit_card": 0.030, "personal_loan": 0.032, "mortgage": 0.030,
    ]
    /// Probability of default over a year by risk rating 1…10.
    public var pdByRisk: [Double] = [0.001, 0.002, 0.004, 0.007, 0.012, 0.02, 0.035, 0.06, 0.10, 0.18]
    /// PD used when a customer has no risk rating.
    public var pdUnrated: Double = 0.02
    /// Loss given default per lending product.
    public var lgd: [String: Double] = ["credit_card": 0.85, "personal_loan": 0.65, "mortgage": 0.20]
    /// Cost per customer-initiated transaction by channel, in the reporting currency.
    public var channelCost: [String: Double] = ["branch": 4.50, "atm": 0.90, "online": 0.10, "mobile": 0.05, "pos": 0.08, "other": 0.50]
    /// Cost of a customer-initiated transaction with no channel.
    public var unknownChannelCost: Double = 0.50
    /// Yearly maintenance cost per open account by product.
    public var accountCost: [String: Double] = [
        "checking": 24, "savings": 8, "term_deposit": 6, "credit_card": 30, "personal_loan": 20, "mortgage": 60, "investment": 40,
    ]
    public init() {}
}

public struct CLVParameters: Sendable, Codable, Equatable {
    public var timeUnit: TimeUnit = .weeks
    public var horizonMonths: Int = 36
    public var annualDiscountRate: Double = 0.10
    /// Days after the as-of date for `expected_txns_12m`.
    public var expectedDays: Int = 365
    public init() {}
}

public struct ChurnParameters: Sendable, Codable, Equatable {
    public var dormantDays: Int = 90
    public var activityDropRatio: Double = 0.5
    public var activityDropMinPrevious: Int = 6
    public var balanceDropRatio: Double = 0.5
    /// BALANCE_DROP also needs the fall to be at least this much, in the reporting currency.
    public var balanceDropMinAmount: Double = 1000
    public var salaryRecentDays: Int = 45
    public var salaryMinMonths: Int = 2
    public var productClosedDays: Int = 90
    public var lowPAlive: Double = 0.3
    public var lowPAliveMinRepeat: Int = 2
    public init() {}
}

public struct TierParameters: Sendable, Codable, Equatable {
    public var weightClv: Double = 0.4
    public var weightProfit: Double = 0.3
    public var weightBalance: Double = 0.2
    public var weightRfm: Double = 0.1
    /// Shares of customers in tiers A, B and C by rank; D holds the rest.
    public var shareA: Double = 0.05
    public var shareB: Double = 0.15
    public var shareC: Double = 0.30
    /// A relationship balance at or above this is tier A whatever the rank.
    public var privateBankingThreshold: Double = 1_000_000
    public var cadence: [String: String] = ["A": "weekly", "B": "weekly", "C": "twice a month", "D": "monthly"]
    public var newDays: Int = 180
    public var loyalYears: Int = 3
    public var growingYears: Int = 2
    public init() {}

    /// Contacts a year implied by a cadence label, for the workload figure.
    public static func contactsPerYear(_ cadence: String) -> Double? {
        switch cadence {
        case "daily": 365
        case "weekly": 52
        case "twice a month", "fortnightly": 24
        case "monthly": 12
        case "quarterly": 4
        case "yearly": 1
        default: nil
        }
    }
}
