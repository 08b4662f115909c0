import Foundation
import LifetimeValue
import TierwiseAnalytics
import TierwiseIO

/// What each stage does: compute from its upstream results (in memory, or loaded from the
/// work folder when the upstream stage was up to date) and save its own.
extension PipelineRunner {
    func perform(_ stage: StageName) throws -> [String: String] {
        let threads = options.threads
        switch stage {
        case .ingest:
            var ingest = Ingest(config: config, threads: threads)
            ingest.shard = options.shard  // issue 9: shard mode
            ingest.shardInput = options.shardInput
            ingest.warn = { [logger] message in logger.warning("\(message)", metadata: ["event": "input_warning"]) }
            let started = RunClock.now()
            if options.progress {
                ProgressLine.shared.enabled = true
                ingest.progress = { done, total in ProgressLine.shared.update(stage: "ingest", done: done, total: total, rows: 0, started: started) }
            }
            // The table's first columns, what the dumps gave, are written on the sync thread
            // while the transactions are read: the disk, idle then, takes 58 MB of L's 127 MB
            // before the run's end, where the rest of the save waits for it.
            let store = self.store!, table = StartedTable()
            ingest.dumpsRead = { dumps in
                let read = DispatchGroup()
                read.enter()
                store.sync.perform {
                    defer { read.leave() }
                    table.table = try store.startIngest(dumps)
                }
                return { read.wait() }
            }
            var state = try ingest.run(rejectsPath: store.path("rejects.csv"), sync: store.sync)
            ProgressLine.shared.clear()
            // Account ids are only needed to read the dumps (the table does not keep them);
            // dropping them lowers the features stage's peak.
            state.accountIds = IdInterner()
            // Like the features table (below), ingest's table is written while the next stage
            // runs: it takes the state from memory. The save holds its own copy of the state,
            // whose arrays nothing changes from here on, and lets go of the largest first; it
            // took 0.33 s on L.
            let done = ingestSaved
            var saved = state
            done.enter()
            store.sync.perform {
                defer { done.leave() }
                try store.save(ingest: &saved, continuing: table.table)
                table.table = nil
            }
            self.ingest = state
            counts = state.counts
            for c in state.counts where !c.reconciles && options.shard == nil {  // issue 9: a shard's counts reconcile only after the merge
                throw PipelineError(.software, "\(c.name): rows do not reconcile (read \(c.rowsRead), accepted \(c.accepted), rejected \(c.rejected), after the as-of date \(c.afterAsOf))")
            }
            try checkRejectThreshold(state.counts)
            var out: [String: String] = ["customers": "\(state.customerIds.count)"]
            for c in state.counts { out["\(c.name)_read"] = "\(c.rowsRead)"; out["\(c.name)_rejected"] = "\(c.rejected)" }
            return out
        case .features:
            // The build owns the ingest state: it frees the accounts once their aggregates are
            // done, and the rest is dropped before saving, so the two never peak together.
            var state = try loadIngest()
            ingest = nil
            let t = state.takeFeatures(rfmOnly: options.rfmOnly, threads: threads)
            _ = consume state
            // The build overlapped ingest's save; the state it still holds goes before the
            // table is saved and the next stages allocate (on L, 367 MiB at the peak otherwise).
            // An RFM-only run saves no table and allocates little more, so it goes on while
            // the save runs, and waits for it only before it publishes.
            if !options.rfmOnly {
                ingestSaved.wait()
                ProcessMemory.releaseFree()  // before the table is saved, which allocates again
            }
            // Later stages use the table in memory, so it is written while they run. The run
            // waits for it before it publishes or records a stage as done (BackgroundSync), and
            // this stage's record left stages.json before it started, so a run killed while
            // the table is half-written leaves nothing vouching for it.
            if savesResult(of: .features) { saveInBackground { try $0.save(features: t) } }
            features = t
            return ["customers": "\(t.count)"]
        case .rfm:
            let s = RFM.score(try loadFeatures(), parameters: config.rfm, threads: threads)
            saveInBackground { try $0.save(rfm: s) }
            rfm = s
            return [:]
        case .clv:
            let o = CLVScoring.compute(try loadFeatures(), config.clv, threads: threads)
            saveInBackground { try $0.save(clv: o) }
            clv = o
            var out = ["converged": "\(o.bgnbd.converged)", "iterations": "\(o.bgnbd.iterations)", "customers_in_model": "\(o.bgnbd.customers)"]
            if let reason = o.table.unavailableReason { out["unavailable"] = reason }
            return out
        case .profit:
            let p = Profitability.table(try loadFeatures(), config.profit, threads: threads)
            saveInBackground { try $0.save(profit: p) }
            profit = p
            return [:]
        case .churn:
            let c = ChurnTable.compute(try loadFeatures(), clv: try loadCLV().table, profit: try loadProfit(), config.churn, threads: threads)
            saveInBackground { try $0.save(churn: c) }
            churn = c
            return ["flagged": "\(c.flags.filter { !$0.isEmpty }.count)"]
        case .tier:
            let previous = try PreviousRun.read(previousRun, threads: threads)
            let t = TierTable.compute(try loadFeatures(), rfm: try loadRFM(), profit: try loadProfit(), churn: try loadChurn(),
                                      clvAvailable: try loadCLV().table.available, previous: previous, config.tier, threads: threads)
            let previousRun = previousRun
            saveInBackground { try $0.save(tier: t, previousRun: previousRun) }
            tier = t
            return ["moved": "\(t.driver.filter { !$0.isEmpty }.count)"]
        case .report:
            let written = try ReportStage(runner: self).publish()
            return ["outputs": "\(written)"]
        }
    }

    /// Saves a stage's table on the sync thread while the next stages run: they take the
    /// result from memory, and the run waits for the save before it records the stage or
    /// publishes (see `BackgroundSync`). Every stage after ingest saves this way; on the
    /// critical path the saves of clv, churn and tier had taken 0.03, 0.07 and 0.1 s on L.
    func saveInBackground(_ save: @escaping (StageStore) throws -> Void) {
        let store = self.store!
        store.sync.perform { try save(store) }
    }

    /// Whether `stage` saves its result for later runs. An RFM-only run does not save the
    /// features table: on L writing and syncing it (166 MB) took 0.6 s, which the run waited
    /// for before publishing, while building it again from ingest's table takes 0.25 s. Such
    /// a run leaves features unrecorded, so the next run builds it.
    func savesResult(of stage: StageName) -> Bool {
        !(options.rfmOnly && stage == .features)
    }

    func checkRejectThreshold(_ counts: [InputCounts]) throws {
        for c in counts where c.rejectShare > config.run.rejectThreshold {
            let share = String(format: "%.2f", c.rejectShare * 100)
            throw PipelineError(.dataError, "\(c.name): \(c.rejected) of \(c.rowsRead) rows rejected (\(share) %), above the threshold of \(config.run.rejectThreshold * 100) %; no outputs written. See the rejects in \(store.path("rejects.csv")) and raise run.reject_threshold only if these rows are expected")
        }
    }

    func loadIngest() throws -> IngestState {
        if let ingest { return ingest }
        let s = try store.loadIngest(window: window)
        counts = s.counts
        return s
    }

    func loadCounts() throws -> [InputCounts] {
        if counts.isEmpty { counts = try store.loadIngestCounts() }
        return counts
    }

    func loadFeatures() throws -> FeatureTable {
        if let features { return features }
        let t = try store.loadFeatures(window: window)
        features = t
        return t
    }

    func loadRFM() throws -> RFMScores {
        if let rfm { return rfm }
        rfm = try store.loadRFM()
        return rfm!
    }

    func loadCLV() throws -> CLVOutcome {
        if let clv { return clv }
        clv = try store.loadCLV()
        return clv!
    }

    func loadProfit() throws -> ProfitTable {
        if let profit { return profit }
        profit = try store.loadProfit()
        return profit!
    }

    func loadChurn() throws -> ChurnTable {
        if let churn { return churn }
        churn = try store.loadChurn()
        return churn!
    }

    func loadTier() throws -> TierTable {
        if let tier { return tier }
        let (t, p) = try store.loadTier()
        tier = t
        if previousRun == nil { previousRun = p }
        return t
    }
}

/// The previous run's customers.csv, read for tier changes: tier and value-score components
/// per customer.
///
/// Its chunks are parsed on `threads` threads and taken in file order, so a customer listed
/// twice keeps its last row; the ranks are read from the fields' bytes (`DecimalDouble`). A
/// nightly run reads the whole of yesterday's file: on L (124 MB) the one-thread read, with a
/// `String` per field, took two seconds, more than the rest of the tier stage.
enum PreviousRun {
    /// The columns read, by position in the file's header; nil for a column it lacks.
    struct Columns {
        var id, tier, clv, profit, balance, rfm: Int?

        init(_ parser: CSVFieldParser) {
            var index: [String: Int] = [:]
            for i in 0..<parser.fieldCount { index[parser.string(i)] = i }
            id = index["customer_id"]; tier = index["tier"]
            clv = index["clv_rank"]; profit = index["profit_rank"]; balance = index["balance_rank"]; rfm = index["rfm_rank"]
        }
    }

    /// One chunk's rows: ids one after another in `ids`, row k's ending at `ends[k]`.
    struct Rows {
        var ids: [UInt8] = []
        var ends: [Int] = []
        var tiers: [Tier] = []
        var components: [ValueComponents] = []
    }

    static func read(_ folder: String?, threads: Int) throws -> PreviousTiers {
        var out = PreviousTiers()
        guard let folder else { return out }
        let path = folder + "/customers.csv"
        let opened = try OpenedInput.open(path)
        let chunker = RecordChunker(stream: opened.stream, path: path)
        let parser = CSVFieldParser()
        guard let first = try chunker.next(), first.count > 0, first.withRecord(0, { parser.parse($0) }) == .ok else { return out }
        let columns = Columns(parser)
        func add(_ rows: Rows) {
            rows.ids.withUnsafeBytes { ids in
                var start = 0
                for k in rows.tiers.indices {
                    out.set(UnsafeRawBufferPointer(rebasing: ids[start..<rows.ends[k]]), tier: rows.tiers[k], components: rows.components[k])
                    start = rows.ends[k]
                }
            }
        }
        add(parse(first, from: 1, columns, parser))
        try ParallelChunks.run(workers: max(1, threads), next: { try chunker.next() }, makeWorker: { CSVFieldParser() },
                               work: { parser, chunk in parse(chunk, from: 0, columns, parser) }, consume: add)
        return out
    }

    /// The rows of `chunk` from record `first` on; a row that cannot be read, or lacks an id or
    /// a tier, is left out, as it always was.
    static func parse(_ chunk: RecordChunk, from first: Int, _ c: Columns, _ parser: CSVFieldParser) -> Rows {
        var rows = Rows()
        guard let id = c.id, let tier = c.tier else { return rows }
        for r in first..<chunk.count {
            guard chunk.withRecord(r, { parser.parse($0) }) == .ok, id < parser.fieldCount, tier < parser.fieldCount else { continue }
            let name = parser.field(tier)
            guard name.count == 1, let t = Tier(rawValue: name[0] &- UInt8(ascii: "A")) else { continue }
            func number(_ column: Int?) -> Double? { column.flatMap { $0 < parser.fieldCount ? DecimalDouble.parse(parser.field($0)) : nil } }
            rows.ids.append(contentsOf: parser.field(id))
            rows.ends.append(rows.ids.count)
            rows.tiers.append(t)
            rows.components.append(ValueComponents(clv: number(c.clv), profit: number(c.profit) ?? 0, balance: number(c.balance) ?? 0, rfm: number(c.rfm) ?? 0))
        }
        return rows
    }
}

/// Ingest's table between its start and the rest of its save, both on the sync thread
/// (`BackgroundSync.perform`), which runs them one after the other.
private final class StartedTable: @unchecked Sendable {
    var table: StageStore.StartedIngestTable?
}
