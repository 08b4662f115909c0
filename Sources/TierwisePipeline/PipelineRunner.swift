import Foundation
import LifetimeValue
import Logging
import TierwiseAnalytics
import TierwiseIO

/// Runs the stages in order with one lifecycle each: skip when the saved result's fingerprint
/// matches, else run, record status and time; a failed stage marks everything downstream of
/// it skipped and fails the run. `rfm`, `clv` and `profit` run at the same time.
///
/// Final outputs are written by the report stage into a staging folder and swapped into
/// `<output>/<as-of>/` only when every stage succeeded.
public final class PipelineRunner {
    let config: PipelineConfig
    let options: RunOptions
    let logger: Logger
    private var records: [StageName: StageRecord] = [:]
    private let recordsLock = NSLock()

    // Results, in memory once computed or loaded.
    var ingest: IngestState?
    var features: FeatureTable?
    var rfm: RFMScores?
    var clv: CLVOutcome?
    var profit: ProfitTable?
    var churn: ChurnTable?
    var tier: TierTable?
    var previousRun: String?
    var counts: [InputCounts] = []
    /// Left when ingest's table, saved in the background, is written: the save holds the
    /// ingest state until then (see `perform(.ingest)`).
    let ingestSaved = DispatchGroup()

    var store: StageStore!
    var window: AnalysisWindow!
    var inputIdentity: [String] = []
    var inputHashes: [String: String] = [:]
    /// The input files still being hashed, until `identifyInputs` takes their identities.
    private var pendingIdentity: (files: [(name: String, path: String)], hashing: InputIdentification)?
    private let identityLock = NSLock()
    /// Every stage's fingerprint, once worked out (`fingerprint(of:)`).
    private var fingerprints: [StageName: String]?
    private let fingerprintsLock = NSLock()
    /// Shard mode (issue 9): the ingest fingerprint without the shard, which the merge checks.
    var unshardedIngestFingerprint: String?
    /// The same without the transactions' paths and identity, for shards of a split export (`--shard-input`).
    var sharedIngestFingerprint: String?

    public init(config: PipelineConfig, options: RunOptions, logger: Logger) {
        self.config = config
        self.options = options
        self.logger = logger
    }

    public func run() -> RunOutcome {
        ProcessMemory.mapLargeAllocations()
        let root = config.run.output
        let lock: RunLock
        do {
            lock = try RunLock(directory: root, startedAt: RunClock.timestamp())
        } catch {
            let e = PipelineError.from(error)
            logger.error("\(e.message)", metadata: ["event": "lock_refused"])
            return RunOutcome(outputFolder: nil, stages: [], published: false, status: e.status, message: e.message)
        }
        defer { lock.release() }
        if let previous = lock.tookOverFrom {
            logger.warning("took over a lock left by a run that is no longer running (\(previous))", metadata: ["event": "stale_lock"])
        }
        for leftover in OutputFolder.leftovers(in: root) {
            FileSystem.removeTree(leftover)
            logger.info("removed a staging folder left by an interrupted run", metadata: ["event": "cleanup", "path": "\(leftover)"])
        }
        do {
            return try runStages()
        } catch {
            let e = PipelineError.from(error)
            logger.error("\(e.message)", metadata: ["event": "run_failed", "exit": "\(e.status.rawValue)"])
            return RunOutcome(outputFolder: nil, stages: orderedRecords(), published: false, status: e.status, message: e.message)
        }
    }

    func orderedRecords() -> [StageRecord] {
        recordsLock.lock()
        defer { recordsLock.unlock() }
        return StageName.allCases.compactMap { records[$0] }
    }

    private func record(_ r: StageRecord) {
        recordsLock.lock()
        records[r.stage] = r
        recordsLock.unlock()
    }

    private func runStages() throws -> RunOutcome {
        // Input identity first: it decides whether ingest (and the as-of date) can be reused.
        var identities: [String] = []
        // Merge mode (issue 9): the shards recorded the inputs' identity; the merge does not read the dumps.
        if let merge = options.merge { identities = merge.inputIdentity; inputHashes = merge.inputHashes }
        var files: [(name: String, path: String)] = []
        for (name, spec) in options.merge != nil ? [] :  [("transactions", config.transactions), ("accounts", config.accounts), ("customers", config.customers)] {
            guard let spec else { continue }
            for path in try expandInputPaths(spec, input: name) {
                guard FileSystem.sizeAndModified(path) != nil, (try? FileStream(path: path)) != nil else {
                    throw PipelineError(.noInput, "\(path): the \(name) input cannot be read. Check that it exists and that this user may read it")
                }
                files.append((name, path))
            }
        }
        inputIdentity = identities
        // The files are hashed on threads of their own, one per core, while the run goes on;
        // `identifyInputs` waits for them where the identities are needed.
        pendingIdentity = (files, InputIdentification(paths: files.map(\.path), hashLimit: config.run.hashLimitBytes, threads: options.threads))
        let asOf = try resolveAsOf()
        window = AnalysisWindow(asOf: asOf, windowDays: config.windowDays, recentDays: config.recentDays, salaryRecentDays: config.churn.salaryRecentDays)
        let workDir = (config.run.workDir ?? config.run.output + "/.work") + "/\(asOf)"
        try FileSystem.makeDirectories(workDir, mode: config.run.folderMode)
        store = StageStore(directory: workDir, mode: config.run.fileMode)
        previousRun = Self.previousRun(in: config.run.output, before: asOf)

        let saved = (try? store.loadJSON([String: StageRecord].self, "stages.json")) ?? [:]
        // Merge mode (issue 9): check the shards against this pipeline file, then stand their results in for ingest and features.
        if let merge = options.merge {
            let ingestFingerprint = try fingerprint(of: .ingest)
            guard merge.splitInput ? merge.sharedFingerprint == sharedIngestFingerprint : merge.ingestFingerprint == ingestFingerprint else {
                throw PipelineError(.usage, "the shards were made from other inputs, as-of date or ingest parameters than this pipeline file and flags give")
            }
            try merge.prepare(store, rejectThreshold: config.run.rejectThreshold, runner: self)
        }
        let forced: Set<StageName> = options.force ? Set(StageName.allCases) : (options.fromStage?.downstream ?? [])
        var mustRun: Set<StageName> = []
        // Without a result of its own to reuse, ingest runs, and so does every stage after it:
        // nothing then waits for the inputs' identity, which only says whether a saved result
        // can be reused, until ingest records itself.
        let ingestRuns = options.merge == nil && (forced.contains(.ingest) || saved[StageName.ingest.rawValue]?.status != .ok || !hasSavedResult(.ingest))
        for stage in StageName.allCases {
            if options.merge != nil && (stage == .ingest || stage == .features) { continue }  // issue 9: from the shards
            if ingestRuns { mustRun.insert(stage); continue }
            let upToDate = try saved[stage.rawValue]?.fingerprint == fingerprint(of: stage) && saved[stage.rawValue]?.status == .ok
                && (stage == .report ? FileSystem.exists(config.run.output + "/\(asOf)/_SUCCESS") : hasSavedResult(stage))
            if forced.contains(stage) || !upToDate || stage.upstream.contains(where: mustRun.contains) { mustRun.insert(stage) }
        }
        // An RFM-only run stops after rfm and a shard after features, whatever else is out of date.
        let last: StageName = options.rfmOnly ? .rfm : options.shard != nil ? .features : .report
        let toRun = StageName.allCases.filter { mustRun.contains($0) && $0 <= last }
        logger.info("run starting", metadata: ["event": "run_start", "as_of": "\(asOf)", "work": "\(workDir)",
                                               "stages_to_run": "\(toRun.map(\.rawValue).joined(separator: ","))"])

        /// stages.json as it stands on disk while the run goes on.
        var recordedOnDisk = saved
        let diskLock = NSLock()
        /// Takes `stage`'s record out of stages.json before the stage overwrites its saved
        /// result. A run killed while it rewrites a result must not leave a record vouching for
        /// it: the record's fingerprint is the earlier run's, and the table may now hold other
        /// inputs' figures, or be cut short. Without the record the next run redoes the stage.
        func forgetRecord(of stage: StageName) throws {
            diskLock.lock()
            defer { diskLock.unlock() }
            guard recordedOnDisk.removeValue(forKey: stage.rawValue) != nil else { return }
            try store.saveJSON(recordedOnDisk, "stages.json")
        }

        /// Runs one stage unless an upstream stage failed; returns false when it failed or was skipped for that.
        func execute(_ stage: StageName, failed: Set<StageName>) -> Bool {
            if stage.upstream.contains(where: failed.contains) {
                record(StageRecord(stage: stage, status: .skipped, fingerprint: (try? fingerprint(of: stage)) ?? "", started: nil, seconds: 0,
                                   message: "not run: a stage it depends on failed"))
                logger.warning("stage skipped: an upstream stage failed", metadata: ["stage": "\(stage.rawValue)", "event": "stage_skipped"])
                return false
            }
            guard mustRun.contains(stage) else {
                record(StageRecord(stage: stage, status: .upToDate, fingerprint: (try? fingerprint(of: stage)) ?? "", started: saved[stage.rawValue]?.started,
                                   seconds: 0, message: options.merge != nil && (stage == .ingest || stage == .features) ? "from the shards (issue 9 merge)" : "up to date"))
                logger.info("stage up to date, not run", metadata: ["stage": "\(stage.rawValue)", "event": "stage_skipped"])
                return true
            }
            let started = RunClock.timestamp()
            let t0 = RunClock.now()
            logger.info("stage started", metadata: ["stage": "\(stage.rawValue)", "event": "stage_start"])
            do {
                try forgetRecord(of: stage)
                try FaultPoints.hit("stage:\(stage.rawValue)")
                let counts = try perform(stage)
                // What the stage freed goes back to the system, so the run's peak is its largest stage's.
                ProcessMemory.releaseFree()
                let seconds = RunClock.now() - t0
                record(StageRecord(stage: stage, status: .ok, fingerprint: try fingerprint(of: stage), started: started, seconds: seconds, message: nil))
                var meta: Logger.Metadata = ["stage": "\(stage.rawValue)", "event": "stage_end", "seconds": "\(String(format: "%.3f", seconds))",
                                            "peak_rss_mib": "\(ProcessMemory.peakResidentMiB())"]
                for (k, v) in counts { meta[k] = "\(v)" }
                logger.info("stage finished", metadata: meta)
                return true
            } catch {
                let e = PipelineError.from(error)
                record(StageRecord(stage: stage, status: .failed, fingerprint: (try? fingerprint(of: stage)) ?? "", started: started,
                                   seconds: RunClock.now() - t0, message: e.message))
                recordsLock.lock()
                failedError = failedError ?? e
                recordsLock.unlock()
                logger.error("stage failed: \(e.message)", metadata: ["stage": "\(stage.rawValue)", "event": "stage_failed"])
                return false
            }
        }

        /// Every way a run ends: the stage records are kept so the next run can skip what is
        /// up to date; a failure leaves its manifest in the work folder.
        func finish(published: Bool, message: String) -> RunOutcome {
            try? identifyInputs()  // for a failure manifest's input hashes
            var keep = saved
            // A stage is recorded as done only once its work table is on disk. When a sync
            // failed, none of this run's stages is: the next run redoes them.
            var synced = true
            do { try store.sync.wait() } catch {
                synced = false
                let e = PipelineError.from(error)
                logger.error("\(e.message)", metadata: ["event": "work_sync_failed"])
                failedError = failedError ?? e
            }
            let records = orderedRecords()
            for r in records where r.status == .ok || r.status == .failed {
                keep[r.stage.rawValue] = r.status == .ok && (!synced || !savesResult(of: r.stage)) ? nil : r
            }
            try? store.saveJSON(keep, "stages.json")
            if let failedError {
                try? writeFailureManifest(records)
                return RunOutcome(outputFolder: nil, stages: records, published: false, status: failedError.status, message: failedError.message)
            }
            logger.info("\(message)", metadata: ["event": "run_end", "output": "\(config.run.output)/\(asOf)"])
            return RunOutcome(outputFolder: config.run.output + "/\(asOf)", stages: records, published: published, status: .ok, message: nil)
        }

        var failed: Set<StageName> = []
        for stage in [StageName.ingest, .features] where !execute(stage, failed: failed) { failed.insert(stage) }
        // Shard mode (issue 9): publish the shard's features, counts and rejects and stop.
        if let shard = options.shard {
            if failed.isEmpty {
                do { try publishShard(shard) } catch { failedError = PipelineError.from(error) }
            }
            return finish(published: true, message: "shard finished, partial result published")
        }
        if options.rfmOnly {
            if !failed.contains(.features) && !execute(.rfm, failed: failed) { failed.insert(.rfm) }
            if failed.isEmpty {
                do { try RFMOnlyOutputs(runner: self).publish() } catch { failedError = PipelineError.from(error) }
            }
            return finish(published: true, message: "RFM-only run finished, outputs published")
        }
        // rfm, clv and profit depend only on the features: run them at the same time.
        let parallel: [StageName] = [.rfm, .clv, .profit]
        if !failed.contains(.features) && parallel.contains(where: mustRun.contains) {
            do { _ = try loadFeatures() } catch { failed.insert(.features) }
        }
        let snapshot = failed
        // Jobs rather than concurrentPerform iterations, so that each stage's own parallel
        // loops get every core (see `runJobs`). Up to `--threads` of the three at once (all
        // three had started whatever it said), the others as those end.
        let succeeded = mapJobs(parallel.count, threads: min(parallel.count, max(1, options.threads))) { k in
            execute(parallel[k], failed: snapshot)
        }
        for (k, stage) in parallel.enumerated() where !succeeded[k] { failed.insert(stage) }
        for stage in [StageName.churn, .tier, .report] where !execute(stage, failed: failed) { failed.insert(stage) }

        let published = orderedRecords().first { $0.stage == .report }?.status == .ok
        return finish(published: published, message: published ? "run finished, outputs published" : "run finished, everything was up to date")
    }

    var failedError: PipelineError?

    private func hasSavedResult(_ stage: StageName) -> Bool {
        switch stage {
        case .ingest: FileSystem.exists(store.path("ingest.twk")) && FileSystem.exists(store.path("rejects.csv"))
        case .report: true
        default: store.exists(stage)
        }
    }

    /// The as-of date: from the pipeline file or command line; else the one found in the
    /// data, reused while the inputs are unchanged so a rerun does not scan the dumps again.
    private func resolveAsOf() throws -> Day {
        if let d = config.run.asOf { return d }
        struct Cached: Codable { var inputs: [String]; var asOf: Day }
        try identifyInputs()
        let cachePath = (config.run.workDir ?? config.run.output + "/.work") + "/as-of.json"
        if let bytes = FileSystem.readSmallFile(cachePath), let cached = try? JSONCoding.decode(Cached.self, from: Data(bytes)),
           cached.inputs == inputIdentity {
            return cached.asOf
        }
        logger.info("no as-of date given: scanning the transactions for the latest booking day", metadata: ["event": "as_of_scan"])
        guard let d = try Ingest(config: config, threads: 1).latestBookingDay() else {
            throw PipelineError(.dataError, "the transactions have no valid booking date to take the as-of date from; give --as-of YYYY-MM-DD")
        }
        try FileSystem.makeDirectories((config.run.workDir ?? config.run.output + "/.work"), mode: config.run.folderMode)
        try FileSystem.writeFile(cachePath, Array(try JSONCoding.encode(Cached(inputs: inputIdentity, asOf: d))), mode: config.run.fileMode)
        return d
    }

    /// Waits for the input files' hashes, started at the beginning of the run, and takes
    /// their identities into `inputIdentity` and `inputHashes`, in the files' order.
    func identifyInputs() throws {
        identityLock.lock()
        defer { identityLock.unlock() }
        guard let (files, hashing) = pendingIdentity else { return }
        for (file, id) in zip(files, try hashing.wait()) {
            inputIdentity.append("\(file.name) \(id.text)")
            if let sha = id.sha256 { inputHashes[file.path] = sha }
        }
        pendingIdentity = nil
    }

    /// A stage's fingerprint. The first call works every stage's out, after the inputs' identity.
    private func fingerprint(of stage: StageName) throws -> String {
        fingerprintsLock.lock()
        defer { fingerprintsLock.unlock() }
        if fingerprints == nil {
            try identifyInputs()
            fingerprints = computeFingerprints()
        }
        return fingerprints![stage]!
    }

    private func computeFingerprints() -> [StageName: String] {
        var fp: [StageName: String] = [:]
        struct IngestParameters: Encodable {
            var asOf: Day, windowDays: Int, recentDays: Int, salaryRecentDays: Int
            var transactions: InputSpec, accounts: InputSpec?, customers: InputSpec?
            var timeZone: String, currency: String, rates: [String: Double], maxRecordBytes: Int, maxFields: Int
        }
        let c = config
        fp[.ingest] = Fingerprint.of(stage: .ingest, parameters: Fingerprint.parameters(IngestParameters(
            asOf: window.asOf, windowDays: c.windowDays, recentDays: c.recentDays, salaryRecentDays: c.churn.salaryRecentDays,
            transactions: c.transactions, accounts: c.accounts, customers: c.customers, timeZone: c.run.timeZone,
            currency: c.run.reportingCurrency, rates: c.run.rates, maxRecordBytes: c.run.maxRecordBytes, maxFields: c.run.maxFields)),
            upstream: [], extra: inputIdentity)
        // Shard mode (issue 9): the shard is part of what ingest was made from.
        unshardedIngestFingerprint = fp[.ingest]
        var shared = c.transactions
        shared.paths = []
        sharedIngestFingerprint = Fingerprint.of(stage: .ingest, parameters: Fingerprint.parameters(IngestParameters(
            asOf: window.asOf, windowDays: c.windowDays, recentDays: c.recentDays, salaryRecentDays: c.churn.salaryRecentDays,
            transactions: shared, accounts: c.accounts, customers: c.customers, timeZone: c.run.timeZone,
            currency: c.run.reportingCurrency, rates: c.run.rates, maxRecordBytes: c.run.maxRecordBytes, maxFields: c.run.maxFields)),
            upstream: [], extra: inputIdentity.filter { !$0.hasPrefix("transactions ") })
        if let shard = options.shard { fp[.ingest] = Fingerprint.of(stage: .ingest, parameters: "shard \(shard.description)", upstream: [fp[.ingest]!]) }
        fp[.features] = Fingerprint.of(stage: .features, parameters: "", upstream: [fp[.ingest]!])
        fp[.rfm] = Fingerprint.of(stage: .rfm, parameters: Fingerprint.parameters(c.rfm), upstream: [fp[.features]!])
        fp[.clv] = Fingerprint.of(stage: .clv, parameters: Fingerprint.parameters(c.clv), upstream: [fp[.features]!])
        fp[.profit] = Fingerprint.of(stage: .profit, parameters: Fingerprint.parameters(c.profit), upstream: [fp[.features]!])
        fp[.churn] = Fingerprint.of(stage: .churn, parameters: Fingerprint.parameters(c.churn), upstream: [fp[.features]!, fp[.clv]!, fp[.profit]!])
        var previousHash = "none"
        if let previousRun, let sha = try? sha256(ofFile: previousRun + "/customers.csv") { previousHash = previousRun + " " + sha }
        fp[.tier] = Fingerprint.of(stage: .tier, parameters: Fingerprint.parameters(c.tier),
                                   upstream: [fp[.rfm]!, fp[.clv]!, fp[.profit]!, fp[.churn]!], extra: [previousHash])
        struct ReportParameters: Encodable { var currency: String, fileMode: UInt32, folderMode: UInt32, rejectThreshold: Double, pipeline: String? }
        fp[.report] = Fingerprint.of(stage: .report, parameters: Fingerprint.parameters(ReportParameters(
            currency: c.run.reportingCurrency, fileMode: c.run.fileMode, folderMode: c.run.folderMode, rejectThreshold: c.run.rejectThreshold,
            pipeline: c.sourceSha256)), upstream: StageName.allCases.filter { $0 != .report }.map { fp[$0]! })
        return fp
    }

    /// The latest published run before `asOf` in the output folder, for tier changes.
    static func previousRun(in root: String, before asOf: Day) -> String? {
        FileSystem.list(root).filter { name in
            guard let d = Day(name), d < asOf else { return false }
            return FileSystem.exists(root + "/" + name + "/_SUCCESS") && FileSystem.exists(root + "/" + name + "/customers.csv")
        }.max().map { root + "/" + $0 }
    }
}
