import Foundation
import LifetimeValue
import TierwiseAnalytics
import TierwiseIO

/// Saving and loading each stage's result in the work folder (`<output>/.work/<as-of>/`).
/// Tables go to `<stage>.twk`, small facts to `<stage>.json`.
struct StageStore {
    let directory: String
    let mode: UInt32
    /// Syncs the saved tables while the next stage runs; `PipelineRunner` waits for it
    /// before it records stages as done or publishes.
    let sync = BackgroundSync()

    func path(_ name: String) -> String { directory + "/" + name }

    /// A stage's table, streamed to `name` in the work folder and synced by `sync` once finished.
    private func table(_ name: String) throws -> WorkTable {
        try WorkTable(streamingTo: path(name), mode: mode, sync: sync)
    }

    func exists(_ stage: StageName) -> Bool { FileSystem.exists(path("\(stage.rawValue).twk")) }

    func saveJSON<T: Encodable>(_ value: T, _ name: String) throws {
        try FileSystem.writeFile(path(name), Array(try JSONCoding.encode(value)), mode: mode)
    }

    /// A stage's facts beside its table, made durable by `sync` after the table, like it.
    /// Synced at once, the facts of ingest made the features stage, which waits for ingest's
    /// save to free its copy of the state, wait for the disk too: 50–70 ms with both cores
    /// idle on L.
    private func saveFacts<T: Encodable>(_ value: T, _ name: String) throws {
        try FileSystem.writeFile(path(name), Array(try JSONCoding.encode(value)), mode: mode, syncingOn: sync)
    }

    func loadJSON<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        guard let bytes = FileSystem.readSmallFile(path(name)) else {
            throw PipelineError(.software, "\(path(name)): a saved stage result is missing; run again with --force")
        }
        return try JSONCoding.decode(type, from: Data(bytes))
    }

    // MARK: ingest

    struct IngestFacts: Codable {
        var asOf: Day
        var counts: [InputCounts]
        var hasAccounts: Bool
        var hasCustomers: Bool
        var transactionColumns: [String]
    }

    /// Starts ingest's table with the dumps' columns (`IngestState.saveDumpColumns`);
    /// `save(ingest:continuing:)` puts the rest.
    func startIngest(_ dumps: DumpsRead) throws -> StartedIngestTable {
        var w = try table("ingest.twk")
        IngestState.saveDumpColumns(dumps, into: &w)
        return StartedIngestTable(table: w, dumpCustomers: dumps.customerIds.count)
    }

    /// Saves ingest's result, after the columns `started` holds (`startIngest`) when given;
    /// `s` loses its accounts and customer ids on the way (see `IngestState.save`).
    func save(ingest s: inout IngestState, continuing started: StartedIngestTable? = nil) throws {
        var w = try started?.table ?? table("ingest.twk")
        s.save(into: &w, dumpCustomers: started?.dumpCustomers)
        try w.finish()
        try saveFacts(IngestFacts(asOf: s.window.asOf, counts: s.counts, hasAccounts: s.hasAccounts, hasCustomers: s.hasCustomers,
                                 transactionColumns: s.transactionColumns.sorted()), "ingest.json")
    }

    /// Ingest's table with the dumps' columns put, and how many customers they cover.
    struct StartedIngestTable {
        var table: WorkTable
        var dumpCustomers: Int
    }

    func loadIngest(window: AnalysisWindow) throws -> IngestState {
        let facts = try loadJSON(IngestFacts.self, "ingest.json")
        return try IngestState(work: try WorkTable.read(path("ingest.twk")), window: window, counts: facts.counts,
                               hasAccounts: facts.hasAccounts, hasCustomers: facts.hasCustomers, transactionColumns: Set(facts.transactionColumns))
    }

    func loadIngestCounts() throws -> [InputCounts] { try loadJSON(IngestFacts.self, "ingest.json").counts }

    // MARK: features

    func save(features t: FeatureTable) throws {
        var w = try table("features.twk")
        w.put("customer_id", .string(t.ids)); w.putStrings("manager_id", count: t.count) { t.manager[$0] }
        w.putStrings("segment", count: t.count) { t.segment[$0] }; w.putStrings("branch", count: t.count) { t.branch[$0] }
        w.put("risk_rating", .int8(t.riskRating)); w.put("recency_days", .int32(t.recencyDays))
        w.put("frequency", .int32(t.frequency)); w.put("monetary", .int64(t.monetary)); w.put("repeat_days", .int32(t.repeatDays))
        w.put("last_purchase_age", .int32(t.lastPurchaseAgeDays)); w.put("first_purchase_age", .int32(t.firstPurchaseAgeDays))
        w.put("repeat_value", .int64(t.repeatValue)); w.put("recent_count", .int32(t.recentCount))
        w.put("previous_recent_count", .int32(t.previousRecentCount)); w.put("fees", .int64(t.fees))
        for (k, c) in t.channelCounts.enumerated() { w.put("channel_\(k)", .int32(c)) }
        w.put("salary_periods", .uint8(t.salaryPeriods)); w.put("tenure_start", .int32(t.tenureStart))
        // The product figures are saved dense, one column per product, as they always were.
        for product in Product.allCases {
            let p = product.rawValue, h = t.holdings
            w.put("balance_days_\(p)", .double(h.dense(\.balanceDays, product))); w.put("balance_days_rate_\(p)", .double(h.dense(\.balanceDaysRate, product)))
            w.put("balance_\(p)", .int64(h.dense(\.balance, product))); w.put("open_\(p)", .int32(h.dense(\.openAccounts, product)))
        }
        w.put("deposit_balance", .int64(t.depositBalance)); w.put("deposit_balance_recent_start", .int64(t.depositBalanceRecentStart))
        w.put("days_since_closure", .int32(t.daysSinceClosure)); w.put("account_count", .int32(t.accountCount))
        w.put("flags", .uint8([t.hasAccounts, t.hasCustomers, t.hasChannel, t.hasFees, t.hasTypes].map { $0 ? 1 : 0 }))
        try w.finish()
    }

    func loadFeatures(window: AnalysisWindow) throws -> FeatureTable {
        let w = try WorkTable.read(path("features.twk"))
        let f = try w.uint8("flags")
        var t = FeatureTable(window: window, hasAccounts: f[0] == 1, hasCustomers: f[1] == 1, hasChannel: f[2] == 1, hasFees: f[3] == 1, hasTypes: f[4] == 1)
        t.ids = try w.string("customer_id"); t.manager = CodedStrings(try w.string("manager_id")); t.segment = CodedStrings(try w.string("segment"))
        t.branch = CodedStrings(try w.string("branch")); t.riskRating = try w.int8("risk_rating"); t.recencyDays = try w.int32("recency_days")
        t.frequency = try w.int32("frequency"); t.monetary = try w.int64("monetary"); t.repeatDays = try w.int32("repeat_days")
        t.lastPurchaseAgeDays = try w.int32("last_purchase_age"); t.firstPurchaseAgeDays = try w.int32("first_purchase_age")
        t.repeatValue = try w.int64("repeat_value"); t.recentCount = try w.int32("recent_count")
        t.previousRecentCount = try w.int32("previous_recent_count"); t.fees = try w.int64("fees")
        t.channelCounts = try (0..<t.channelCounts.count).map { try w.int32("channel_\($0)") }
        t.salaryPeriods = try w.uint8("salary_periods"); t.tenureStart = try w.int32("tenure_start")
        let products = 0..<Product.allCases.count
        t.holdings = ProductHoldings(balanceDays: try products.map { try w.double("balance_days_\($0)") },
                                     balanceDaysRate: try products.map { try w.double("balance_days_rate_\($0)") },
                                     balance: try products.map { try w.int64("balance_\($0)") }, openAccounts: try products.map { try w.int32("open_\($0)") })
        t.depositBalance = try w.int64("deposit_balance"); t.depositBalanceRecentStart = try w.int64("deposit_balance_recent_start")
        t.daysSinceClosure = try w.int32("days_since_closure"); t.accountCount = try w.int32("account_count")
        return t
    }

    // MARK: rfm

    func save(rfm s: RFMScores) throws {
        var w = try table("rfm.twk")
        w.put("r", .uint8(s.r)); w.put("f", .uint8(s.f)); w.put("m", .uint8(s.m)); w.put("segment", .uint8(s.segment))
        w.put("segment_names", .string(s.segmentNames))
        try w.finish()
    }

    func loadRFM() throws -> RFMScores {
        let w = try WorkTable.read(path("rfm.twk"))
        return RFMScores(r: try w.uint8("r"), f: try w.uint8("f"), m: try w.uint8("m"), segment: try w.uint8("segment"),
                         segmentNames: try w.string("segment_names"))
    }

    // MARK: clv

    struct CLVFacts: Codable {
        var bgnbd: BGNBDFit
        var gammaGamma: GammaGammaFit?
        var timeUnit: TimeUnit
        var unavailableReason: String?
        var spendUnavailableReason: String?
    }

    func save(clv o: CLVOutcome) throws {
        var w = try table("clv.twk")
        if let v = o.table.pAlive { w.put("p_alive", .double(v)) }
        if let v = o.table.expectedTransactions { w.put("expected", .double(v)) }
        if let v = o.table.clvSpend { w.put("clv_spend", .double(v)) }
        if let v = o.table.discountedTransactions { w.put("discounted", .double(v)) }
        try w.finish()
        try saveFacts(CLVFacts(bgnbd: o.bgnbd, gammaGamma: o.gammaGamma, timeUnit: o.timeUnit, unavailableReason: o.table.unavailableReason,
                              spendUnavailableReason: o.table.spendUnavailableReason), "clv.json")
    }

    func loadCLV() throws -> CLVOutcome {
        let w = try WorkTable.read(path("clv.twk"))
        let facts = try loadJSON(CLVFacts.self, "clv.json")
        func opt(_ name: String) -> [Double]? { if case .double(let v)? = w.column(name) { return v }; return nil }
        let table = CLVTable(pAlive: opt("p_alive"), expectedTransactions: opt("expected"), clvSpend: opt("clv_spend"),
                             discountedTransactions: opt("discounted"), unavailableReason: facts.unavailableReason,
                             spendUnavailableReason: facts.spendUnavailableReason)
        return CLVOutcome(table: table, bgnbd: facts.bgnbd, gammaGamma: facts.gammaGamma, timeUnit: facts.timeUnit)
    }

    // MARK: profit

    func save(profit p: ProfitTable) throws {
        var w = try table("profit.twk")
        w.put("nii", .int64(p.netInterestIncome)); w.put("fees", .int64(p.feeIncome)); w.put("expected_loss", .int64(p.expectedLoss))
        w.put("cost", .int64(p.costToServe)); w.put("profit", .int64(p.profit)); w.put("has_balances", .uint8([p.hasBalances ? 1 : 0]))
        try w.finish()
    }

    func loadProfit() throws -> ProfitTable {
        let w = try WorkTable.read(path("profit.twk"))
        return ProfitTable(netInterestIncome: try w.int64("nii"), feeIncome: try w.int64("fees"), expectedLoss: try w.int64("expected_loss"),
                           costToServe: try w.int64("cost"), profit: try w.int64("profit"), hasBalances: try w.uint8("has_balances")[0] == 1)
    }

    // MARK: churn

    func save(churn c: ChurnTable) throws {
        var w = try table("churn.twk")
        w.put("flags", .uint8(c.flags.map(\.rawValue))); w.put("severity", .uint8(c.severity.map(\.rawValue)))
        w.put("reasons", .string(c.reasons)); w.put("clv", .int64(c.clv.map { $0 ?? Int64.min }))
        w.put("value_at_risk", .int64(c.valueAtRisk.map { $0 ?? Int64.min })); w.put("unchecked", .string(c.unchecked))
        try w.finish()
    }

    func loadChurn() throws -> ChurnTable {
        let w = try WorkTable.read(path("churn.twk"))
        func opt(_ v: Int64) -> Int64? { v == Int64.min ? nil : v }
        return ChurnTable(flags: try w.uint8("flags").map(ChurnFlags.init(rawValue:)), severity: try w.uint8("severity").map { Severity(rawValue: $0) ?? .none },
                          reasons: try w.string("reasons"), clv: try w.int64("clv").map(opt), valueAtRisk: try w.int64("value_at_risk").map(opt),
                          unchecked: try w.string("unchecked"))
    }

    // MARK: tier

    struct TierFacts: Codable {
        var weights: [Double]
        var previousRun: String?
    }

    func save(tier t: TierTable, previousRun: String?) throws {
        var w = try table("tier.twk")
        let r = t.result
        w.put("tier", .uint8(r.tier.map(\.rawValue))); w.put("score", .double(r.valueScore)); w.put("rank", .int32(r.rank.map { Int32($0) }))
        w.put("private", .uint8(r.privateBanking.map { $0 ? 1 : 0 }))
        w.put("c_clv", .double(r.components.map { $0.clv ?? .nan })); w.put("c_profit", .double(r.components.map(\.profit)))
        w.put("c_balance", .double(r.components.map(\.balance))); w.put("c_rfm", .double(r.components.map(\.rfm)))
        w.put("lifecycle", .string(t.lifecycle.map(\.rawValue))); w.put("previous", .int8(t.previousTier.map { $0.map { Int8($0.rawValue) } ?? -1 }))
        w.put("driver", .string(t.driver))
        try w.finish()
        let u = r.weightsUsed
        try saveFacts(TierFacts(weights: [u.clv, u.profit, u.balance, u.rfm], previousRun: previousRun), "tier.json")
    }

    func loadTier() throws -> (TierTable, String?) {
        let w = try WorkTable.read(path("tier.twk"))
        let facts = try loadJSON(TierFacts.self, "tier.json")
        let cc = try w.double("c_clv"), cp = try w.double("c_profit"), cb = try w.double("c_balance"), cr = try w.double("c_rfm")
        let components = cc.indices.map { ValueComponents(clv: cc[$0].isNaN ? nil : cc[$0], profit: cp[$0], balance: cb[$0], rfm: cr[$0]) }
        let wts = facts.weights
        let result = Tiering.Result(tier: try w.uint8("tier").map { Tier(rawValue: $0) ?? .d }, valueScore: try w.double("score"),
                                    components: components, rank: try w.int32("rank").map { Int($0) },
                                    privateBanking: try w.uint8("private").map { $0 == 1 }, weightsUsed: (wts[0], wts[1], wts[2], wts[3]))
        let table = TierTable(result: result, lifecycle: try w.string("lifecycle").map { Lifecycle(rawValue: $0) ?? .mature },
                              previousTier: try w.int8("previous").map { $0 < 0 ? nil : Tier(rawValue: UInt8($0)) }, driver: try w.string("driver"))
        return (table, facts.previousRun)
    }
}

/// JSON with snake_case keys, sorted, in a fixed layout, so equal values give byte-identical files.
enum JSONCoding {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        do {
            let d = JSONDecoder()
            d.keyDecodingStrategy = .convertFromSnakeCase
            return try d.decode(type, from: data)
        } catch {
            throw PipelineError(.software, "a saved stage result cannot be read (\(error)); run again with --force")
        }
    }
}
