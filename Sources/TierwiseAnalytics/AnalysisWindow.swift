/// The days a run describes: the as-of date A and the periods the metrics look at.
///
/// All ranges are half-open on the left, `(start, end]`, matching metrics.md: the window
/// W is `A − 365 < day ≤ A`.
public struct AnalysisWindow: Sendable, Codable, Equatable {
    public var asOf: Day
    public var windowDays: Int
    /// The churn rules' recent period (90 days) and salary look-back (45 days).
    public var recentDays: Int
    public var salaryRecentDays: Int

    public init(asOf: Day, windowDays: Int = 365, recentDays: Int = 90, salaryRecentDays: Int = 45) {
        self.asOf = asOf
        self.windowDays = windowDays
        self.recentDays = recentDays
        self.salaryRecentDays = salaryRecentDays
    }

    /// First day inside the window.
    public var windowStart: Day { asOf - (windowDays - 1) }

    @inline(__always) public func inWindow(_ d: Day) -> Bool { d.number > asOf.number - Int32(windowDays) && d.number <= asOf.number }
    @inline(__always) public func inRecent(_ d: Day) -> Bool { d.number > asOf.number - Int32(recentDays) }
    @inline(__always) public func inPreviousRecent(_ d: Day) -> Bool {
        d.number > asOf.number - Int32(2 * recentDays) && d.number <= asOf.number - Int32(recentDays)
    }

    /// For salary credits: 0 inside the last `salaryRecentDays`; 1, 2, 3 for the three
    /// 30-day months before that; nil further back.
    @inline(__always) public func salaryPeriod(_ d: Day) -> Int? {
        let age = Int(asOf.number - d.number)
        if age < 0 { return nil }
        if age < salaryRecentDays { return 0 }
        let month = (age - salaryRecentDays) / 30 + 1
        return month <= 3 ? month : nil
    }

    /// Annual figures are scaled to a year when the window is not 365 days.
    public var annualFactor: Double { 365.0 / Double(windowDays) }
}
