import Testing
import TierwiseAnalytics

/// The rank rule of metrics.md computed the slow, obvious way.
func bruteForceScores(_ keys: [Int64]) -> [UInt8] {
    keys.map { k in UInt8(min(5, 1 + 5 * keys.filter { $0 < k }.count / keys.count)) }
}

@Test func rfmScoresMatchTheRankRuleWithTies() {
    var state: UInt64 = 42
    for n in [1, 2, 5, 7, 100, 1001] {
        let keys: [Int64] = (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1
            return Int64(state >> 60)   // heavy ties
        }
        #expect(RFM.scores(keys: keys) == bruteForceScores(keys))
    }
    #expect(RFM.scores(keys: [3, 3, 3, 3]) == [1, 1, 1, 1])
    #expect(RFM.scores(keys: [1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5])
}

@Test func recencyWithoutActivityScoresWorst() {
    let keys = [Int32(-1), 0, 10, 400].map(RFM.recencyKey)
    #expect(RFM.scores(keys: keys) == [1, 4, 3, 2])
}

@Test func segmentsFirstMatchWinsElseOthers() {
    var bank = Bank()
    for k in 0..<10 {
        let c = bank.customer("C\(k)")
        for d in 0...k { bank.txn(c, daysAgo: 1 + (9 - k) * 30 + d, amount: -Double(10 * (k + 1))) }
    }
    let s = RFM.score(bank.table(), parameters: RFMParameters())
    #expect(s.cell(9) == "555")
    #expect(s.segmentName(9) == "Champions")
    #expect(s.segmentName(0) == "Lost")
    var custom = RFMParameters()
    custom.segments = [SegmentRule("Top", r: 5...5, f: 5...5, m: 5...5)]
    #expect(RFM.score(bank.table(), parameters: custom).segmentName(0) == "Others")
}

/// The scores and segments do not depend on the threads: more customers than one chunk of
/// the segment loop, every segment met, scored on 1, 2 and 3 threads.
@Test func rfmScoresAreTheSameOnAnyNumberOfThreads() {
    var t = FeatureTable(window: AnalysisWindow(asOf: Day("2026-10-31")!), hasAccounts: false, hasCustomers: false,
                         hasChannel: false, hasFees: false, hasTypes: false)
    var state: UInt64 = 9
    func next(_ bound: UInt64) -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return (state >> 33) % bound }
    let n = 40_000
    t.ids = (0..<n).map { "c\($0)" }
    t.recencyDays = (0..<n).map { _ in Int32(next(400)) - 1 }
    t.frequency = (0..<n).map { _ in Int32(next(60)) }
    t.monetary = (0..<n).map { _ in Int64(next(1_000_000)) }
    let one = RFM.score(t, parameters: RFMParameters(), threads: 1)
    #expect(Set(one.segment).count == one.segmentNames.count, "every segment, Others too, has customers")
    #expect(one.r == RFM.scores(keys: t.recencyDays.map(RFM.recencyKey)))
    for threads in [2, 3] { #expect(RFM.score(t, parameters: RFMParameters(), threads: threads) == one) }
}

@Test func averageDailyBalanceMatchesADayByDayReplay() {
    var bank = Bank()
    let c = bank.customer("c")
    let a = bank.account(c, .savings, balance: 500, openedDaysAgo: 200, rate: 0.02)
    let moves: [(Int, Double)] = [(150, 1000), (120, -300), (90, 250.5), (10, -450.5), (0, 100), (199, 42)]
    for (ago, amount) in moves { bank.txn(c, daysAgo: ago, amount: amount, type: .transfer, channel: .online, account: a) }
    // Replay: the balance on each open day is the closing balance minus what was booked after it.
    var total = 0.0
    for ago in 0...200 {
        let later = moves.filter { $0.0 < ago }.reduce(0.0) { $0 + $1.1 }
        total += 500 - later
    }
    let expected = total / 201
    let adb = bank.accounts[a].averageDailyBalance(in: bank.window)!
    #expect(abs(adb - expected) < 1e-9)
    #expect(bank.accounts[a].balanceAtRecentStart == Int64((500 - 100 - (-450.5)) * 10_000))
}

@Test func loanBalancesMoveTheOtherWay() {
    var bank = Bank()
    let c = bank.customer("c")
    let loan = bank.account(c, .personalLoan, balance: 900, openedDaysAgo: 30)
    bank.txn(c, daysAgo: 5, amount: 100, type: .payment, channel: .online, account: loan)   // a repayment lowers what is owed
    // owed 1000 for the 25 days before the repayment (days 30..6 ago), 900 for the last 6 days.
    let adb = bank.accounts[loan].averageDailyBalance(in: bank.window)!
    #expect(abs(adb - (25.0 * 1000 + 6 * 900) / 31) < 1e-9)
}

@Test func tierSharesAreExactByRank() {
    let n = 1003
    var state: UInt64 = 7
    func next() -> Int64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int64(state >> 40) }
    let profit = (0..<n).map { _ in next() }, balance = (0..<n).map { _ in next() }, clv = (0..<n).map { _ in next() }
    let rfm = (0..<n).map { _ in Int(next() % 13) + 3 }
    let r = Tiering.assign(clv: clv, profit: profit, balance: balance, rfmSum: rfm, p: TierParameters())
    let counts = Tier.allCases.map { t in r.tier.filter { $0 == t }.count }
    #expect(abs(counts[0] - Int(0.05 * Double(n))) <= 1)
    #expect(abs(counts[1] - Int(0.15 * Double(n))) <= 1)
    #expect(abs(counts[2] - Int(0.30 * Double(n))) <= 1)
    #expect(counts.reduce(0, +) == n)
    // Better score, better or equal tier.
    for i in 0..<n { for j in 0..<n where r.valueScore[i] > r.valueScore[j] { #expect(r.tier[i] <= r.tier[j]) } }
}

@Test func privateBankingOverridesTheRank() {
    var p = TierParameters()
    p.privateBankingThreshold = 50
    let r = Tiering.assign(clv: [0, 0, 0, 0], profit: [0, 1, 2, 3], balance: [500_000, 0, 0, 0], rfmSum: [3, 3, 3, 3], p: p)
    #expect(r.tier[0] == .a && r.privateBanking[0])
}

/// Percentile ranks by their definition, the share of the others with a strictly lower
/// value: on keys with many ties, extremes and a single distinct value.
@Test(arguments: [1, 2, 7, 1_000])
func percentRanksCountStrictlyLowerValues(distinct: Int) {
    var state: UInt64 = 0x5EED
    let keys: [Int64] = (0..<3_001).map { k in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        if k == 5 { return Int64.min }
        if k == 6 && distinct > 1 { return Int64.max }
        return Int64(state >> 33) % Int64(distinct) - Int64(distinct / 2)
    }
    let ranks = Tiering.percentRanks(keys)
    for i in stride(from: 0, to: keys.count, by: 7) {
        let lower = keys.filter { $0 < keys[i] }.count
        #expect(ranks[i] == Double(lower) / Double(keys.count - 1), "key \(keys[i])")
    }
    #expect(Tiering.percentRanks([42]) == [0])
    let third: Double = 1.0 / 3
    #expect(Tiering.percentRanks([3, 1, 3, 2]) == [2 * third, 0, 2 * third, third])
}
