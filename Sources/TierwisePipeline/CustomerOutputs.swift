import Foundation
import TierwiseAnalytics
import TierwiseIO
import TierwiseReports

/// The per-customer CSV outputs: customers.csv, the tier lists, the watchlist, tier changes
/// and the managers' table. Their columns are a contract (docs/outputs.md): add columns at
/// the end, never rename or remove one without a new schema version.
struct CustomerOutputs {
    let data: ReportData
    /// The watchlist's customers in its order (`SummaryBuilder.watchlistOrder`).
    let watchlistOrder: [Int]
    let folder: OutputFolder
    let config: PipelineConfig
    let threads: Int
    /// The columns with few distinct values, escaped once (`CSVTextCells`): each tier's name
    /// and contact cadence (by `Tier.rawValue`), the managers and branches (by their codes),
    /// the RFM segments, the churn flags (by `ChurnFlags.rawValue`) and the severities.
    private let tierNames: CSVTextCells, cadences: CSVTextCells, managers: CSVTextCells, branches: CSVTextCells
    private let segments: CSVTextCells, flags: CSVTextCells, severities: CSVTextCells
    /// Each customer's relationship balance, summed once over the holdings for customers.csv
    /// and the tier lists; nil without accounts.
    private let relationshipBalances: [Int64]?

    init(data: ReportData, watchlistOrder: [Int], folder: OutputFolder, config: PipelineConfig, threads: Int) {
        self.data = data
        self.watchlistOrder = watchlistOrder
        self.folder = folder
        self.config = config
        self.threads = threads
        tierNames = CSVTextCells(Tier.allCases.map(\.name))
        cadences = CSVTextCells(Tier.allCases.map { config.tier.cadence[$0.name] ?? "" })
        managers = CSVTextCells(data.features.manager.values)
        branches = CSVTextCells(data.features.branch.values)
        segments = CSVTextCells(data.rfm.segmentNames)
        flags = CSVTextCells((0...255).map { ChurnFlags(rawValue: UInt8($0)).joinedCodes })
        severities = CSVTextCells(Severity.allCases.map(\.name))
        let t = data.features
        relationshipBalances = t.hasAccounts ? (0..<t.count).map(t.relationshipBalance) : nil
    }

    static let customerColumns = [
        "customer_id", "manager_id", "branch", "tier", "value_rank", "value_score", "private_banking", "contact_cadence", "lifecycle_stage",
        "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_cell", "rfm_segment",
        "p_alive", "expected_txns_12m", "clv_spend", "clv",
        "profit", "net_interest_income", "fee_income", "expected_loss", "cost_to_serve",
        "deposit_balance", "relationship_balance", "open_accounts",
        "churn_flags", "churn_severity", "value_at_risk", "churn_reasons",
        "clv_rank", "profit_rank", "balance_rank", "rfm_rank",
    ]
    static let tierColumns = ["position", "customer_id", "tier", "value_score", "contact_cadence", "manager_id", "lifecycle_stage",
                              "profit", "clv", "relationship_balance", "churn_severity", "private_banking"]
    static let watchlistColumns = ["position", "customer_id", "tier", "manager_id", "value_at_risk", "churn_severity", "churn_flags",
                                   "churn_reasons", "p_alive", "clv", "contact_cadence"]
    static let changeColumns = ["customer_id", "from_tier", "to_tier", "direction", "driver", "manager_id"]
    static let managerColumns = ["manager_id", "customers", "tier_a", "tier_b", "tier_c", "tier_d", "profit", "clv",
                                 "watchlist_customers", "value_at_risk"]

    /// The jobs that write the files that do not need the summary; they are independent and
    /// may run at the same time. managers.csv needs the summary (`managers(_:)`).
    ///
    /// They come longest first (customers.csv, the watchlist, then the tiers from D to A), so
    /// that no long file starts last and runs alone: on L the watchlist, last in the list,
    /// had run 0.3 s on one core after everything else was done.
    func jobs() -> (longest: [() throws -> Manifest.Output], rest: [() throws -> Manifest.Output]) {
        let members = tierMembers()
        var rest: [() throws -> Manifest.Output] = [watchlist]
        for tier in Tier.allCases.reversed() { rest.append { try tierList(tier, members: members[Int(tier.rawValue)]) } }
        rest.append(tierChanges)
        return ([customers], rest)
    }

    /// Each tier's customers by value rank, in one pass over the ranks.
    private func tierMembers() -> [[Int]] {
        let r = data.tier.result
        var byRank = [Int](repeating: 0, count: t.count)
        for i in 0..<t.count { byRank[r.rank[i] - 1] = i }
        var members = [[Int]](repeating: [], count: Tier.allCases.count)
        for i in byRank { members[Int(r.tier[i].rawValue)].append(i) }
        return members
    }

    private func open(_ name: String, _ header: [String]) throws -> CSVWriter {
        let path = try folder.path(name)
        return try CSVWriter(sink: try FileSink(path: path, mode: config.run.fileMode), path: name, header: header)
    }

    private func finish(_ w: CSVWriter) throws -> Manifest.Output {
        let sha = try w.finish(syncingOn: folder.sync)
        return Manifest.Output(path: w.path, rows: w.rows, sha256: sha)
    }

    private var t: FeatureTable { data.features }

    private func money(_ w: CSVWriter, _ v: Int64?) { if let v { w.decimal(v) } else { w.empty() } }
    private func fixed(_ w: CSVWriter, _ v: Double?, _ places: Int) { if let v { w.fixed(v, places: places) } else { w.empty() } }

    /// customers.csv, the longest file: its rows are formatted on every core (`writeRows`).
    private func customers() throws -> Manifest.Output {
        let w = try open("customers.csv", Self.customerColumns)
        try writeRows(t.count, to: w, threads: threads, row: customerRow)
        return try finish(w)
    }

    private func customerRow(_ w: CSVWriter, _ i: Int) throws {
        let r = data.tier.result, rfm = data.rfm, p = data.profit, c = data.churn, clv = data.clv.table
        let tier = Int(r.tier[i].rawValue)
        w.text(t.ids[i]); w.text(managers, Int(t.manager.codes[i])); w.text(branches, Int(t.branch.codes[i])); w.text(tierNames, tier)
        w.integer(Int64(r.rank[i])); fixed(w, r.valueScore[i], 6); w.number(r.privateBanking[i] ? "1" : "0"); w.text(cadences, tier)
        w.text(data.tier.lifecycle[i].rawValue)
        if let rec = t.recency(i) { w.integer(Int64(rec)) } else { w.empty() }
        w.integer(Int64(t.frequency[i])); w.decimal(t.monetary[i])
        w.integer(Int64(rfm.r[i])); w.integer(Int64(rfm.f[i])); w.integer(Int64(rfm.m[i])); w.integer(Int64(rfm.r[i]) * 100 + Int64(rfm.f[i]) * 10 + Int64(rfm.m[i]))
        w.text(segments, Int(rfm.segment[i]))
        fixed(w, clv.pAlive.flatMap { $0[i].isNaN ? nil : $0[i] }, 4); fixed(w, clv.expectedTransactions?[i], 4)
        fixed(w, clv.clvSpend?[i], 2); money(w, c.clv[i])
        w.decimal(p.profit[i]); money(w, p.hasBalances ? p.netInterestIncome[i] : nil); w.decimal(p.feeIncome[i])
        money(w, p.hasBalances ? p.expectedLoss[i] : nil); w.decimal(p.costToServe[i])
        money(w, t.hasAccounts ? t.depositBalance[i] : nil); money(w, relationshipBalances?[i])
        if t.hasAccounts { w.integer(Int64(t.openAccountTotal(i))) } else { w.empty() }
        w.text(flags, Int(c.flags[i].rawValue)); w.text(severities, Int(c.severity[i].rawValue)); money(w, c.valueAtRisk[i]); w.text(c.reasons[i])
        fixed(w, r.components[i].clv, 6); fixed(w, r.components[i].profit, 6); fixed(w, r.components[i].balance, 6); fixed(w, r.components[i].rfm, 6)
        try w.endRow()
    }

    /// One tier's list, in rank order, written a block at a time (`writeBlocks`).
    private func tierList(_ tier: Tier, members: [Int]) throws -> Manifest.Output {
        let w = try open("tiers/\(tier.name).csv", Self.tierColumns)
        let r = data.tier.result, lifecycle = data.tier.lifecycle, code = Int(tier.rawValue)
        let profit = data.profit.profit, clv = data.churn.clv, severity = data.churn.severity
        try writeBlocks(of: members, to: w, threads: threads) { w, rows, start in
            let ids = rows.map { t.ids[$0] }, scores = rows.map { r.valueScore[$0] }
            let managerCodes = rows.map { t.manager.codes[$0] }, stages = rows.map { lifecycle[$0] }, profits = rows.map { profit[$0] }
            let clvs = rows.map { clv[$0] }, balances = rows.map { relationshipBalances?[$0] }
            let severities = rows.map { severity[$0] }, privateBanking = rows.map { r.privateBanking[$0] }
            for k in 0..<rows.count {
                w.integer(Int64(start + k + 1)); w.text(ids[k]); w.text(tierNames, code); fixed(w, scores[k], 6); w.text(cadences, code)
                w.text(managers, Int(managerCodes[k])); w.text(stages[k].rawValue); w.decimal(profits[k]); money(w, clvs[k])
                money(w, balances[k]); w.text(self.severities, Int(severities[k].rawValue)); w.number(privateBanking[k] ? "1" : "0")
                try w.endRow()
            }
        }
        return try finish(w)
    }

    /// The watchlist, by value at risk, written a block at a time (`writeBlocks`).
    private func watchlist() throws -> Manifest.Output {
        let w = try open("watchlist.csv", Self.watchlistColumns)
        let churn = data.churn, tier = data.tier.result.tier, pAlive = data.clv.table.pAlive
        try writeBlocks(of: watchlistOrder, to: w, threads: threads) { w, rows, start in
            let ids = rows.map { t.ids[$0] }, tiers = rows.map { Int(tier[$0].rawValue) }, managerCodes = rows.map { t.manager.codes[$0] }
            let atRisk = rows.map { churn.valueAtRisk[$0] }, severities = rows.map { churn.severity[$0] }, flagCodes = rows.map { churn.flags[$0] }
            let reasons = rows.map { churn.reasons[$0] }, alive = rows.map { i in pAlive.flatMap { $0[i].isNaN ? nil : $0[i] } }
            let clvs = rows.map { churn.clv[$0] }
            for k in 0..<rows.count {
                w.integer(Int64(start + k + 1)); w.text(ids[k]); w.text(tierNames, tiers[k]); w.text(managers, Int(managerCodes[k])); money(w, atRisk[k])
                w.text(self.severities, Int(severities[k].rawValue)); w.text(flags, Int(flagCodes[k].rawValue)); w.text(reasons[k])
                fixed(w, alive[k], 4); money(w, clvs[k]); w.text(cadences, tiers[k])
                try w.endRow()
            }
        }
        return try finish(w)
    }

    /// Writes the rows of `order` a block of 4,096 at a time, formatted on every core: `body`
    /// gets a block's rows and the position of its first row. A list in rank order jumps
    /// across the tables, so a row's dozen figures were a dozen cache misses one after
    /// another; a block's figures are gathered first, one column at a time in loops whose
    /// loads overlap, then written.
    private func writeBlocks(of order: [Int], to w: CSVWriter, threads: Int,
                             _ body: (CSVWriter, ArraySlice<Int>, Int) throws -> Void) throws {
        try writePieces(order.count, piece: 4_096, to: w, threads: threads) { f, range in
            try body(f, order[range], range.lowerBound)
        }
    }

    private func tierChanges() throws -> Manifest.Output {
        let w = try open("tier_changes.csv", Self.changeColumns)
        let r = data.tier.result
        for i in 0..<t.count {
            guard let before = data.tier.previousTier[i], before != r.tier[i] else { continue }
            w.text(t.ids[i]); w.text(before.name); w.text(r.tier[i].name); w.text(r.tier[i] < before ? "up" : "down")
            w.text(data.tier.driver[i]); w.text(t.manager[i])
            try w.endRow()
        }
        return try finish(w)
    }

    func managers(_ summary: Summary) throws -> Manifest.Output {
        let w = try open("managers.csv", Self.managerColumns)
        // In Int128: a few customers near the Int64 limit would overflow an Int64 total.
        var clvByManager: [String: Int128] = [:]
        for i in 0..<t.count { clvByManager[t.manager[i], default: 0] += Int128(data.churn.clv[i] ?? 0) }
        for m in summary.managers {
            w.text(m.managerId); w.integer(Int64(m.customers))
            for tier in Tier.allCases { w.integer(Int64(m.byTier[tier.name] ?? 0)) }
            w.fixed(m.profit, places: 2)
            if data.clv.table.available, let clv = clvByManager[m.managerId] {
                if let exact = Int64(exactly: clv) { w.decimal(exact) } else { w.fixed(clv.nearestDouble / Double(Money.scale), places: 2) }
            } else {
                w.empty()
            }
            w.integer(Int64(m.watchlistCustomers)); fixed(w, m.valueAtRisk, 2)
            try w.endRow()
        }
        return try finish(w)
    }
}

/// Writes rows 0..<count with `row`, formatted in pieces on every core and written in order,
/// a few pieces at a time so that memory stays small: for the long per-customer files.
func writeRows(_ count: Int, to w: CSVWriter, threads: Int, row: (CSVWriter, Int) throws -> Void) throws {
    try writePieces(count, piece: 8_192, to: w, threads: threads) { f, range in
        for i in range { try row(f, i) }
    }
}

/// Writes rows 0..<count a `piece` of rows at a time: `rows` formats a range of them into
/// the fragment writer it is given, on every core, and the fragments are added in order.
func writePieces(_ count: Int, piece: Int, to w: CSVWriter, threads: Int, rows: (CSVWriter, Range<Int>) throws -> Void) throws {
    let batch = piece * max(1, threads)
    var start = 0
    // The largest piece so far, so that the next ones are given room for that much at once
    // instead of growing into it by doubling (a copy of most of their bytes).
    var pieceBytes = 1 << 16
    try withoutActuallyEscaping(rows) { rows in
        while start < count {
            let end = min(count, start + batch)
            let capacity = pieceBytes + pieceBytes / 8
            let pieces = try runConcurrently((0..<(end - start + piece - 1) / piece).map { k in {
                let f = CSVWriter.fragment(capacity: capacity)
                try rows(f, (start + k * piece)..<min(end, start + (k + 1) * piece))
                return f.takeFragment()
            } }, threads: threads)
            for p in pieces {
                try w.append(p)
                pieceBytes = max(pieceBytes, p.bytes.count)
            }
            start = end
        }
    }
}
