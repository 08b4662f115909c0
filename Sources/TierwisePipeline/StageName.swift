/// The stages in the order they run, and what each depends on.
///
/// ```
/// ingest ─► features ─┬─► rfm ────┐
///                     ├─► clv ────┼─► churn ─► tier ─► report
///                     └─► profit ─┘
/// ```
public enum StageName: String, CaseIterable, Codable, Sendable, Comparable {
    case ingest, features, rfm, clv, profit, churn, tier, report

    public var upstream: [StageName] {
        switch self {
        case .ingest: []
        case .features: [.ingest]
        case .rfm, .clv, .profit: [.features]
        case .churn: [.features, .clv, .profit]
        case .tier: [.features, .rfm, .clv, .profit, .churn]
        case .report: [.ingest, .features, .rfm, .clv, .profit, .churn, .tier]
        }
    }

    /// This stage and every stage that depends on it, directly or not.
    public var downstream: Set<StageName> {
        var out: Set<StageName> = [self]
        var changed = true
        while changed {
            changed = false
            for s in StageName.allCases where !out.contains(s) && s.upstream.contains(where: out.contains) {
                out.insert(s)
                changed = true
            }
        }
        return out
    }

    public static func < (a: StageName, b: StageName) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What happened to a stage in a run: the manifest's record of it.
public struct StageRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Ran and succeeded.
        case ok
        /// Up to date: the saved result's fingerprint matched, so it was not run.
        case upToDate = "up_to_date"
        /// Not run because a stage it depends on failed.
        case skipped
        case failed
    }

    public var stage: StageName
    public var status: Status
    public var fingerprint: String
    public var started: String?
    public var seconds: Double
    public var message: String?
}
