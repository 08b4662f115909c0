import Foundation
import TierwiseAnalytics
import TierwiseIO

/// `tierwise explain`: one customer's figures from a run's saved stage results, in words an
/// analyst can pass on to a relationship manager.
public enum Explanation {
    /// The latest published run folder under `root`.
    public static func latestRun(in root: String) throws -> String {
        guard let name = FileSystem.list(root).filter({ Day($0) != nil && FileSystem.exists(root + "/" + $0 + "/_SUCCESS") }).max() else {
            throw PipelineError(.noInput, "\(root): no published run found; run `tierwise run` first or give --run <output>/<as-of>")
        }
        return root + "/" + name
    }

    public static func explain(customer id: String, runFolder: String) throws -> String {
        guard let manifestBytes = FileSystem.readSmallFile(runFolder + "/manifest.json") else {
            throw PipelineError(.noInput, "\(runFolder): not a tierwise run folder (no manifest.json)")
        }
        let manifest = try JSONCoding.decode(Manifest.self, from: Data(manifestBytes))
        let config = manifest.parameters
        guard let asOf = Day(manifest.asOf) else { throw PipelineError(.dataError, "\(runFolder)/manifest.json: bad as_of") }
        let root = runFolder.contains("/") ? String(runFolder[..<runFolder.lastIndex(of: "/")!]) : "."
        let work = (config.run.workDir ?? root + "/.work") + "/\(asOf)"
        let store = StageStore(directory: work, mode: config.run.fileMode)
        let window = AnalysisWindow(asOf: asOf, windowDays: config.windowDays, recentDays: config.recentDays, salaryRecentDays: config.churn.salaryRecentDays)
        guard FileSystem.exists(store.path("tier.twk")) else {
            throw PipelineError(.noInput, "\(work): the run's saved stage results are gone; rerun `tierwise run` for \(asOf)")
        }
        let t = try store.loadFeatures(window: window)
        guard let i = t.ids.firstIndex(of: id) else {
            throw PipelineError(.dataError, "customer \(id) is not in the run of \(asOf)")
        }
        let rfm = try store.loadRFM(), clv = try store.loadCLV(), profit = try store.loadProfit(), churn = try store.loadChurn()
        let (tier, _) = try store.loadTier()
        let n = t.count
        var out: [String] = []
        func share(_ count: Int) -> String { "\(Int((Double(count) / Double(max(n, 1)) * 100).rounded())) %" }
        let money = { (v: Int64) in Money.format(v) + " " + config.run.reportingCurrency }

        let r = tier.result
        out.append("Customer \(id), as of \(asOf)" + (t.manager[i].isEmpty ? "" : ", manager \(t.manager[i])"))
        out.append("Tier \(r.tier[i].name): rank \(r.rank[i]) of \(n) by value score \(String(format: "%.4f", r.valueScore[i]))"
                   + (r.privateBanking[i] ? " (private banking: relationship balance at or above \(config.tier.privateBankingThreshold))" : "")
                   + "; lifecycle \(tier.lifecycle[i].rawValue); contact \(config.tier.cadence[r.tier[i].name] ?? "")")
        out.append("")
        out.append("What drove the figures")
        out.append("  customer-initiated transactions in the last \(window.windowDays) days: \(t.frequency[i]), worth \(money(t.monetary[i]))")
        out.append("  last activity: " + (t.recency(i).map { "\($0) days ago" } ?? "never"))
        out.append("  purchase days: \(t.firstPurchaseAgeDays[i] < 0 ? 0 : Int(t.repeatDays[i]) + 1); in the last \(window.recentDays) days \(t.recentCount[i]) transactions, \(t.previousRecentCount[i]) in the \(window.recentDays) before")
        if t.hasAccounts {
            for p in Product.allCases where t.holdings.openAccounts(p, i) > 0 || t.holdings.balance(p, i) != 0 {
                out.append("  \(p.name): \(t.holdings.openAccounts(p, i)) open, balance \(money(t.holdings.balance(p, i)))")
            }
            out.append("  relationship balance \(money(t.relationshipBalance(i))); deposits \(money(t.depositBalance[i])) now, \(money(t.depositBalanceRecentStart[i])) \(window.recentDays) days ago")
        } else {
            out.append("  no accounts dump: balances unknown")
        }
        out.append("")
        out.append("Scores among all \(n) customers")
        func below(_ keys: [Int64], _ k: Int64) -> Int { keys.filter { $0 < k }.count }
        out.append("  R \(rfm.r[i]): more recent than \(share(below(t.recencyDays.map(RFM.recencyKey), RFM.recencyKey(t.recencyDays[i])))) of customers")
        out.append("  F \(rfm.f[i]): more transactions than \(share(below(t.frequency.map { Int64($0) }, Int64(t.frequency[i]))))")
        out.append("  M \(rfm.m[i]): more value than \(share(below(t.monetary, t.monetary[i])))")
        out.append("  RFM cell \(rfm.cell(i)), segment \(rfm.segmentName(i))")
        out.append("")
        out.append("Profit, per year")
        out.append("  net interest income: " + (profit.hasBalances ? money(profit.netInterestIncome[i]) : "not available (no accounts dump)"))
        out.append("  fee income: \(money(profit.feeIncome[i]))")
        out.append("  expected loss: " + (profit.hasBalances ? money(profit.expectedLoss[i]) : "not available (no accounts dump)"))
        out.append("  cost to serve: \(money(profit.costToServe[i]))")
        out.append("  profit: \(money(profit.profit[i]))")
        out.append("")
        out.append("Lifetime value")
        if let pAlive = clv.table.pAlive, !pAlive[i].isNaN {
            out.append("  P(alive) \(String(format: "%.3f", pAlive[i])), expected transactions in the next \(config.clv.expectedDays) days \(String(format: "%.2f", clv.table.expectedTransactions![i]))")
            out.append("  clv " + (churn.clv[i].map(money) ?? "n/a") + (clv.table.clvSpend.map { $0[i].isFinite ? ", clv_spend \(String(format: "%.2f", $0[i]))" : "" } ?? ""))
        } else {
            out.append("  not available: " + (clv.table.unavailableReason ?? "no customer-initiated purchase"))
        }
        out.append("")
        out.append("Churn rules")
        let a = ChurnRules.assess(t, i, config.churn, pAlive: clv.table.pAlive.flatMap { $0[i].isNaN ? nil : $0[i] })
        let c = config.churn
        out.append("  DORMANT (no activity for \(c.dormantDays)+ days): " + (a.flags.contains(.dormant) ? "yes" : "no") + " — last activity " + (t.recency(i).map { "\($0) days ago" } ?? "never"))
        out.append("  ACTIVITY_DROP (below \(Int(c.activityDropRatio * 100)) % of the previous \(window.recentDays) days, with at least \(c.activityDropMinPrevious) then): "
                   + (a.flags.contains(.activityDrop) ? "yes" : "no") + " — \(t.recentCount[i]) against \(t.previousRecentCount[i])")
        if t.hasAccounts {
            out.append("  BALANCE_DROP (deposits down more than \(Int(c.balanceDropRatio * 100)) % and at least \(c.balanceDropMinAmount)): " + (a.flags.contains(.balanceDrop) ? "yes" : "no")
                       + " — \(Money.format(t.depositBalanceRecentStart[i])) → \(Money.format(t.depositBalance[i]))")
            out.append("  PRODUCT_CLOSED (an account closed in the last \(c.productClosedDays) days, others open): " + (a.flags.contains(.productClosed) ? "yes" : "no")
                       + (t.daysSinceClosure[i] >= 0 ? " — last closure \(t.daysSinceClosure[i]) days ago" : " — no closure"))
        } else {
            out.append("  BALANCE_DROP, PRODUCT_CLOSED: not checked (no accounts dump)")
        }
        out.append("  SALARY_STOPPED (salary in \(c.salaryMinMonths)+ of 3 months, none in the last \(window.salaryRecentDays) days): "
                   + (t.hasTypes ? (a.flags.contains(.salaryStopped) ? "yes" : "no") + " — salary months \(t.salaryMonthsBefore(i)), recent \(t.salaryRecent(i) ? "yes" : "no")" : "not checked (no type column)"))
        out.append("  LOW_P_ALIVE (P(alive) below \(c.lowPAlive) with \(c.lowPAliveMinRepeat)+ repeat days): "
                   + (clv.table.available ? (a.flags.contains(.lowPAlive) ? "yes" : "no") : "not checked (no lifetime-value model)"))
        out.append("  severity \(churn.severity[i].name)" + (churn.valueAtRisk[i].map { ", value at risk \(money($0))" } ?? ""))
        out.append("")
        out.append("What would move the tier")
        let comp = r.components[i]
        let w = r.weightsUsed
        out.append("  value score = \(fmt(w.clv)) × CLV rank \(comp.clv.map(fmt) ?? "n/a") + \(fmt(w.profit)) × profit rank \(fmt(comp.profit)) + \(fmt(w.balance)) × balance rank \(fmt(comp.balance)) + \(fmt(w.rfm)) × RFM rank \(fmt(comp.rfm))")
        if r.tier[i] == .a {
            out.append("  already in the top tier")
        } else {
            let better = Tier(rawValue: r.tier[i].rawValue - 1)!
            let threshold = (0..<n).filter { r.tier[$0] == better && !r.privateBanking[$0] }.map { r.valueScore[$0] }.min()
            if let threshold {
                let gap = max(0, threshold - r.valueScore[i])
                out.append("  tier \(better.name) starts at value score \(fmt(threshold)): \(fmt(gap)) more is needed")
                let parts = [("lifetime value", w.clv, comp.clv ?? 0), ("profit", w.profit, comp.profit), ("relationship balance", w.balance, comp.balance), ("RFM", w.rfm, comp.rfm)]
                for (name, weight, rank) in parts where weight > 0 {
                    let need = gap / weight
                    out.append(rank + need <= 1 ? "  — e.g. the \(name) rank rising by \(fmt(need)) (from \(fmt(rank)))" : "  — the \(name) rank alone cannot close it")
                }
            }
            out.append("  or a relationship balance of \(config.tier.privateBankingThreshold) (private banking)")
        }
        return out.joined(separator: "\n")
    }

    private static func fmt(_ v: Double) -> String { String(format: "%.3f", v) }
}
