/// The churn warnings of metrics.md. Each is a bit so a customer can carry several.
public struct ChurnFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let dormant = ChurnFlags(rawValue: 1 << 0)
    public static let activityDrop = ChurnFlags(rawValue: 1 << 1)
    public static let balanceDrop = ChurnFlags(rawValue: 1 << 2)
    public static let salaryStopped = ChurnFlags(rawValue: 1 << 3)
    public static let productClosed = ChurnFlags(rawValue: 1 << 4)
    public static let lowPAlive = ChurnFlags(rawValue: 1 << 5)

    public static let all: [(ChurnFlags, String)] = [
        (.dormant, "DORMANT"), (.activityDrop, "ACTIVITY_DROP"), (.balanceDrop, "BALANCE_DROP"),
        (.salaryStopped, "SALARY_STOPPED"), (.productClosed, "PRODUCT_CLOSED"), (.lowPAlive, "LOW_P_ALIVE"),
    ]

    public var codes: [String] { ChurnFlags.all.filter { contains($0.0) }.map(\.1) }

    /// The codes joined with `|`, as the CSV outputs write them; looked up, not built per row.
    public var joinedCodes: String { ChurnFlags.joined[Int(rawValue)] }

    private static let joined: [String] = (0...255).map { ChurnFlags(rawValue: UInt8($0)).codes.joined(separator: "|") }
}

public enum Severity: UInt8, Sendable, CaseIterable {
    case none, watch, warning, critical
    public var name: String {
        switch self {
        case .none: "none"
        case .watch: "watch"
        case .warning: "warning"
        case .critical: "critical"
        }
    }
}

/// One customer's churn assessment: flags, severity and a short reason per flag.
public struct ChurnAssessment: Sendable, Equatable {
    public var flags: ChurnFlags = []
    public var reasons: [String] = []
    public var severity: Severity = .none
    /// Which rules could not be checked, and why (a missing dump or model).
    public var unchecked: [String] = []
}

public enum ChurnRules {
    /// Checks every rule for customer `i`. `pAlive` and `x` come from the CLV stage when it
    /// produced them; without them LOW_P_ALIVE is unchecked, never guessed.
    public static func assess(_ t: FeatureTable, _ i: Int, _ p: ChurnParameters, pAlive: Double?) -> ChurnAssessment {
        var a = ChurnAssessment()
        func flag(_ f: ChurnFlags, _ reason: String) {
            a.flags.insert(f)
            a.reasons.append(reason)
        }
        let recentDays = t.window.recentDays
        if let recency = t.recency(i), recency >= p.dormantDays {
            flag(.dormant, "no activity for \(recency) days after \(t.frequency[i]) transactions in the last \(t.window.windowDays) days")
        }
        let recent = Int(t.recentCount[i]), previous = Int(t.previousRecentCount[i])
        if previous >= p.activityDropMinPrevious && Double(recent) < p.activityDropRatio * Double(previous) {
            flag(.activityDrop, "\(recent) transactions in the last \(recentDays) days against \(previous) in the \(recentDays) before")
        }
        if t.hasAccounts {
            let now = t.depositBalance[i], then = t.depositBalanceRecentStart[i]
            let fall = then - now
            if then > 0 && Double(fall) > p.balanceDropRatio * Double(then) && Money.toDouble(fall) >= p.balanceDropMinAmount {
                let share = Int((Double(fall) / Double(then) * 100).rounded())
                flag(.balanceDrop, "deposits fell \(share) % in \(recentDays) days, from \(Money.format(then, decimals: 0)) to \(Money.format(now, decimals: 0))")
            }
            if t.daysSinceClosure[i] >= 0 && Int(t.daysSinceClosure[i]) < p.productClosedDays && t.openAccountTotal(i) > 0 {
                flag(.productClosed, "closed an account \(t.daysSinceClosure[i]) days ago, \(t.openAccountTotal(i)) still open")
            }
        } else {
            a.unchecked += ["BALANCE_DROP: no accounts dump", "PRODUCT_CLOSED: no accounts dump"]
        }
        if t.hasTypes {
            let months = t.salaryMonthsBefore(i)
            if months >= p.salaryMinMonths && !t.salaryRecent(i) {
                flag(.salaryStopped, "salary in \(months) of the 3 months before, none in the last \(t.window.salaryRecentDays) days")
            }
        } else {
            a.unchecked.append("SALARY_STOPPED: the transactions have no type column")
        }
        if let pAlive {
            if t.repeatDays[i] >= p.lowPAliveMinRepeat && pAlive < p.lowPAlive {
                flag(.lowPAlive, "P(alive) \(Int((pAlive * 100).rounded())) % after \(t.repeatDays[i] + 1) purchase days")
            }
        } else {
            a.unchecked.append("LOW_P_ALIVE: no lifetime-value model")
        }
        let count = a.flags.rawValue.nonzeroBitCount
        if count >= 3 || (a.flags.contains(.salaryStopped) && a.flags.contains(.balanceDrop)) {
            a.severity = .critical
        } else if count == 2 {
            a.severity = .warning
        } else if count == 1 {
            a.severity = .watch
        }
        return a
    }

    /// max(clv, 0) × (1 − p_alive) for flagged customers; nil without a model or a flag.
    public static func valueAtRisk(flags: ChurnFlags, clv: Int64?, pAlive: Double?) -> Int64? {
        guard !flags.isEmpty, let clv, let pAlive else { return nil }
        return Money.derived(steps: Double(max(clv, 0)) * (1 - pAlive) / 100, step: 100)
    }
}
