import LifetimeValue
import TierwiseAnalytics

/// Aggregates the per-customer results into the figures of summary.json and the reports.
/// Money totals are integer sums, so they do not depend on the order of customers.
public enum SummaryBuilder {
    static func money(_ units: Int64) -> Double { Double(units) / Double(Money.scale) }
    static func money(_ units: Int128) -> Double { units.nearestDouble / Double(Money.scale) }

    /// A sum over customers, in Int128: every customer's amounts fit Int64, but a few
    /// customers near that limit (hostile input) would overflow an Int64 total and trap.
    static func total<S: Sequence>(_ values: S) -> Int128 where S.Element == Int64 { values.reduce(Int128(0)) { $0 + Int128($1) } }
    static func total<S: Sequence>(_ values: S) -> Int128 where S.Element == Int64? { values.reduce(Int128(0)) { $0 + Int128($1 ?? 0) } }

    /// `watchlist` is `watchlistOrder(d)`, which the watchlist file uses too.
    public static func build(_ d: ReportData, watchlist: [Int]) -> Summary {
        let t = d.features, n = t.count
        let tiers = d.tier.result.tier
        let clvKnown = d.clv.table.available
        var notes: [String] = []
        if !t.hasAccounts { notes.append("Net interest income and expected loss are not available: there was no accounts dump, so no balances.") }
        if let reason = d.clv.table.unavailableReason { notes.append("Lifetime value is not available: \(reason).") }
        if let reason = d.clv.table.spendUnavailableReason, d.clv.table.unavailableReason == nil { notes.append("Spend-based CLV (clv_spend) is not available: \(reason).") }
        for u in d.churn.unchecked { notes.append("Churn rule not checked: \(u).") }
        if d.previousRun == nil { notes.append("No previous run in the output folder: tier movement starts with the next run.") }

        // Headline.
        let active = t.frequency.filter { $0 > 0 }.count
        let totalProfit = total(d.profit.profit)
        let totalCLV: Int128? = clvKnown ? total(d.churn.clv) : nil
        let flagged = d.churn.flags.filter { !$0.isEmpty }.count
        let totalVaR: Int128? = clvKnown ? total(d.churn.valueAtRisk) : nil
        let rejected = d.dataQuality.inputs.reduce(0) { $0 + $1.rejected }
        let headline = Summary.Headline(customers: n, activeCustomers: active, totalProfit: money(totalProfit), totalClv: totalCLV.map(money),
                                        customersFlagged: flagged, valueAtRisk: totalVaR.map(money),
                                        dataQualityStatus: rejected == 0 ? "ok" : "rejects")

        // Profit and the Pareto curve (customers by profit, best first; a radix sort, where the
        // standard one through its comparison closure took 0.05 s on L).
        let byProfit = RadixOrder.ascending(d.profit.profit.map { ~RadixOrder.key($0) }).order.map { d.profit.profit[Int($0)] }
        var pareto: [[Double]] = [[0, 0]]
        var top20: Double? = nil
        let positive = total(byProfit)
        if n > 0 && positive != 0 {
            var running: Int128 = 0
            var next = 1
            for (k, v) in byProfit.enumerated() {
                running += Int128(v)
                let share = Double(k + 1) / Double(n)
                while next <= 100 && share >= Double(next) / 100 {
                    pareto.append([Double(next) / 100, running.nearestDouble / positive.nearestDouble])
                    next += 1
                }
            }
            let topCount = Int((Double(n) * 0.2).rounded())
            top20 = total(byProfit.prefix(topCount)).nearestDouble / positive.nearestDouble
        }
        let profit = Summary.ProfitSummary(
            total: money(totalProfit), netInterestIncome: t.hasAccounts ? money(total(d.profit.netInterestIncome)) : nil,
            feeIncome: money(total(d.profit.feeIncome)), expectedLoss: t.hasAccounts ? money(total(d.profit.expectedLoss)) : nil,
            costToServe: money(total(d.profit.costToServe)), negativeProfitCustomers: d.profit.profit.filter { $0 < 0 }.count,
            top20Share: top20, pareto: pareto)

        // Tiers.
        var tierRows: [Summary.TierRow] = []
        let cutA = Int((d.tierParameters.shareA * Double(n)).rounded())
        var totalContacts = 0.0
        for tier in Tier.allCases {
            let members = (0..<n).filter { tiers[$0] == tier }
            let cadence = d.tierParameters.cadence[tier.name] ?? "monthly"
            let perWeek = Double(members.count) * (TierParameters.contactsPerYear(cadence) ?? 12) / 52
            totalContacts += perWeek
            tierRows.append(Summary.TierRow(
                tier: tier.name, customers: members.count, profit: money(total(members.lazy.map { d.profit.profit[$0] })),
                clv: clvKnown ? money(total(members.lazy.map { d.churn.clv[$0] })) : nil,
                relationshipBalance: money(total(members.lazy.map { t.relationshipBalance($0) })), cadence: cadence,
                contactsPerWeek: (perWeek * 10).rounded() / 10, privateBankingOverrides: members.filter { d.tier.result.privateBanking[$0] && d.tier.result.rank[$0] > cutA }.count))
        }
        let w = d.tier.result.weightsUsed
        let tierSummary = Summary.TierSummary(rows: tierRows, contactsPerWeek: (totalContacts * 10).rounded() / 10,
                                              weights: ["clv": w.clv, "profit": w.profit, "balance": w.balance, "rfm": w.rfm])

        // RFM grid and segments.
        var counts = [[Int]](repeating: [Int](repeating: 0, count: 5), count: 5)
        var sums = [[Int128]](repeating: [Int128](repeating: 0, count: 5), count: 5)
        for i in 0..<n {
            let row = 5 - Int(d.rfm.r[i]), col = Int(d.rfm.f[i]) - 1
            counts[row][col] += 1
            sums[row][col] += Int128(t.monetary[i])
        }
        var means: [[Double?]] = []
        for r in 0..<5 {
            var row: [Double?] = []
            for c in 0..<5 {
                let mean: Double = counts[r][c] == 0 ? 0 : money(sums[r][c]) / Double(counts[r][c])
                row.append(counts[r][c] == 0 ? nil : (mean * 100).rounded() / 100)
            }
            means.append(row)
        }
        var segments: [Summary.SegmentRow] = []
        for (k, name) in d.rfm.segmentNames.enumerated() {
            let members = (0..<n).filter { Int(d.rfm.segment[$0]) == k }
            segments.append(Summary.SegmentRow(segment: name, customers: members.count, monetary: money(total(members.lazy.map { t.monetary[$0] })),
                                               profit: money(total(members.lazy.map { d.profit.profit[$0] }))))
        }

        // Models.
        let fit = d.clv.bgnbd
        let bg = Summary.BGNBDSummary(r: fit.parameters?.r, alpha: fit.parameters?.alpha, a: fit.parameters?.a, b: fit.parameters?.b,
                                      logLikelihood: fit.logLikelihood, customers: fit.customers, repeatCustomers: fit.repeatCustomers,
                                      converged: fit.converged, iterations: fit.iterations, gradientNorm: fit.gradientNorm, method: fit.method, reason: fit.reason)
        let gg = d.clv.gammaGamma.map { g in
            Summary.GammaGammaSummary(p: g.parameters?.p, q: g.parameters?.q, gamma: g.parameters?.gamma, logLikelihood: g.logLikelihood,
                                      customers: g.customers, converged: g.converged, iterations: g.iterations,
                                      expectedSpendDefined: g.expectedSpendDefined, reason: g.reason ?? g.expectedSpendReason)
        }
        var histogram = [Int](repeating: 0, count: 10)
        var matrix: Summary.FrequencyRecency? = nil
        if let pAlive = d.clv.table.pAlive, let expected = d.clv.table.expectedTransactions {
            for v in pAlive where !v.isNaN { histogram[min(9, Int(v * 10))] += 1 }
            let fEdges = [0, 1, 2, 4, 8, 16, 32, 64]
            let fLabels = ["0", "1", "2–3", "4–7", "8–15", "16–31", "32–63", "64+"]
            let rEdges = [0, 4, 8, 13, 26, 39, 52, 78]
            let rLabels = ["0–3", "4–7", "8–12", "13–25", "26–38", "39–51", "52–77", "78+"]
            var sum = [[Double]](repeating: [Double](repeating: 0, count: rEdges.count), count: fEdges.count)
            var cnt = [[Int]](repeating: [Int](repeating: 0, count: rEdges.count), count: fEdges.count)
            for i in 0..<n where !expected[i].isNaN {
                let x = Int(t.repeatDays[i])
                let weeksSince = Int(t.firstPurchaseAgeDays[i] - t.lastPurchaseAgeDays[i]) / 7
                let fr = fEdges.lastIndex { $0 <= x } ?? 0
                let rc = rEdges.lastIndex { $0 <= weeksSince } ?? 0
                sum[fr][rc] += expected[i]
                cnt[fr][rc] += 1
            }
            var cells: [[Double?]] = []
            for f in 0..<fEdges.count {
                var row: [Double?] = []
                for r in 0..<rEdges.count {
                    if cnt[f][r] == 0 { row.append(nil); continue }
                    let mean: Double = sum[f][r] / Double(cnt[f][r])
                    row.append((mean * 100).rounded() / 100)
                }
                cells.append(row)
            }
            matrix = Summary.FrequencyRecency(frequencyBuckets: fLabels, recencyBuckets: rLabels, expectedTransactions: cells)
        }
        let models = Summary.Models(timeUnit: d.clv.timeUnit.rawValue, bgnbd: bg, gammaGamma: gg, pAliveHistogram: histogram,
                                    frequencyRecency: matrix, unavailableReason: d.clv.table.unavailableReason)

        // Churn.
        var byFlag: [String: Int] = [:]
        for (flag, code) in ChurnFlags.all { byFlag[code] = d.churn.flags.filter { $0.contains(flag) }.count }
        var bySeverity: [String: Int] = [:]
        for s in Severity.allCases { bySeverity[s.name] = d.churn.severity.filter { $0 == s }.count }
        let watch = watchlist
        let top = watch.prefix(20).map { i in
            Summary.WatchRow(customerId: t.ids[i], tier: tiers[i].name, managerId: t.manager[i], valueAtRisk: d.churn.valueAtRisk[i].map(money),
                             severity: d.churn.severity[i].name, flags: d.churn.flags[i].codes, reasons: d.churn.reasons[i])
        }
        let churn = Summary.ChurnSummary(byFlag: byFlag, bySeverity: bySeverity, top: Array(top), unchecked: d.churn.unchecked)

        // Movement.
        var movement = [[Int]](repeating: [Int](repeating: 0, count: 4), count: 4)
        var up = 0, down = 0
        for i in 0..<n {
            guard let before = d.tier.previousTier[i] else { continue }
            movement[Int(before.rawValue)][Int(tiers[i].rawValue)] += 1
            if tiers[i] < before { up += 1 } else if tiers[i] > before { down += 1 }
        }
        let tierMovement = Summary.TierMovement(previousRun: d.previousRun, matrix: movement, moved: up + down, up: up, down: down)

        // Managers, summed by the manager column's codes: a dictionary by name, updated for
        // every customer, copied each manager's tier counts at every update.
        let managerCodes = t.manager.codes, managerNames = t.manager.values
        let tierCount = Tier.allCases.count
        var perManager = [Int](repeating: 0, count: managerNames.count), watchPerManager = perManager
        var tiersPerManager = [Int](repeating: 0, count: managerNames.count * tierCount)
        var profitPerManager = [Int128](repeating: 0, count: managerNames.count), riskPerManager = profitPerManager
        for i in 0..<n {
            let m = Int(managerCodes[i])
            perManager[m] += 1
            tiersPerManager[m * tierCount + Int(tiers[i].rawValue)] += 1
            profitPerManager[m] += Int128(d.profit.profit[i])
            if !d.churn.flags[i].isEmpty { watchPerManager[m] += 1 }
            riskPerManager[m] += Int128(d.churn.valueAtRisk[i] ?? 0)
        }
        let managerRows = managerNames.indices.filter { perManager[$0] > 0 }.sorted { managerNames[$0] < managerNames[$1] }.map { m -> Summary.ManagerRow in
            Summary.ManagerRow(managerId: managerNames[m], customers: perManager[m],
                               byTier: Dictionary(uniqueKeysWithValues: Tier.allCases.map { ($0.name, tiersPerManager[m * tierCount + Int($0.rawValue)]) }),
                               profit: money(profitPerManager[m]), watchlistCustomers: watchPerManager[m], valueAtRisk: clvKnown ? money(riskPerManager[m]) : nil)
        }

        return Summary(toolVersion: d.toolVersion, asOf: t.window.asOf.description, windowDays: t.window.windowDays, reportingCurrency: d.currency,
                       headline: headline, profit: profit, tiers: tierSummary,
                       rfm: Summary.RFMSummary(countsRByF: counts, meanMonetaryRByF: means, segments: segments), models: models, churn: churn,
                       tierMovement: tierMovement, managers: managerRows, dataQuality: d.dataQuality, notes: notes)
    }

    /// Flagged customers by value at risk (unknown last), then by severity, then by customer id.
    ///
    /// Two stable radix passes (the list is made before any output file is started): by
    /// severity, then by value at risk, so that equal values keep the severity order and equal
    /// both keep the customers' order.
    public static func watchlistOrder(_ d: ReportData) -> [Int] {
        let flagged = (0..<d.features.count).filter { !d.churn.flags[$0].isEmpty }
        let bySeverity = RadixOrder.ascending(flagged.map { ~UInt64(d.churn.severity[$0].rawValue) }).order
        let byValue = RadixOrder.ascending(bySeverity.map { ~RadixOrder.key(d.churn.valueAtRisk[flagged[Int($0)]] ?? Int64.min) }).order
        return byValue.map { flagged[Int(bySeverity[Int($0)])] }
    }
}
