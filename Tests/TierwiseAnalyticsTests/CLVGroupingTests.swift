import LifetimeValue
import Testing
@testable import TierwiseAnalytics
import TierwiseTestSupport

/// A feature table with only the BG/NBD day columns filled: repeat days, last and first
/// purchase ages (T = −1: no purchase).
private func table(_ days: [(x: Int32, tx: Int32, T: Int32)]) -> FeatureTable {
    var t = FeatureTable(window: AnalysisWindow(asOf: Day("2026-10-31")!), hasAccounts: false, hasCustomers: false,
                         hasChannel: false, hasFees: false, hasTypes: false)
    t.ids = days.indices.map { "c\($0)" }
    t.repeatDays = days.map(\.x)
    t.lastPurchaseAgeDays = days.map(\.tx)
    t.firstPurchaseAgeDays = days.map(\.T)
    return t
}

/// What the CLV stage hands the fit, against the general grouping of the same summaries;
/// returns the number of customers and of groups.
@discardableResult
private func expectGroupsLikeTheGeneralWay(_ t: FeatureTable, unit: TimeUnit) -> (customers: Int, groups: Int) {
    let members = (0..<t.count).filter { CLVScoring.summary(t, $0, unit: unit) != nil }
    let summaries = members.map { CLVScoring.summary(t, $0, unit: unit)! }
    let fast = CLVScoring.grouped(t, members: members, summaries: summaries)
    let general = WeightedSummaries.group(summaries)
    #expect(fast.summaries == general.summaries)
    #expect(fast.weights == general.weights)
    return (members.count, general.summaries.count)
}

/// Customers drawn from small ranges, so that most share their summary with others, in no
/// order, with some who never bought.
@Test(arguments: TimeUnit.allCases)
func clvGroupsTheSummariesAsTheGeneralGroupingDoes(unit: TimeUnit) {
    var random = SplitMix64(state: 7)
    let days = (0..<20_000).map { _ -> (x: Int32, tx: Int32, T: Int32) in
        if random.below(10) == 0 { return (0, 0, -1) }
        let T = Int32(random.below(50))
        let tx = Int32(random.below(Int(T) + 1))
        return (tx == 0 ? 0 : Int32(random.below(4)), tx, T)
    }
    let counts = expectGroupsLikeTheGeneralWay(table(days), unit: unit)
    #expect(counts.groups < counts.customers * 3 / 4, "the draw repeats summaries, so the grouping has something to do")
}

/// Ages beyond what the packed key holds (2^22 days) go the general way, with the same result.
@Test func clvGroupingOfAgesBeyondThePackingTakesTheGeneralWay() {
    let t = table([(2, 5, 1 << 22), (0, 0, 3), (2, 5, 1 << 22), (1, 1 << 21, (1 << 21) + 9), (0, 0, 3)])
    expectGroupsLikeTheGeneralWay(t, unit: .days)
    expectGroupsLikeTheGeneralWay(t, unit: .weeks)
}
