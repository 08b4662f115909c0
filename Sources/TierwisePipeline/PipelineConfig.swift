import Foundation
import TierwiseAnalytics
import TierwiseIO
import TOMLKit

/// One input dump: where its files are and how its columns are named.
public struct InputSpec: Sendable, Codable, Equatable {
    /// Paths or globs, resolved against the pipeline file's folder.
    public var paths: [String]
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// Contract column name → the header in the bank's file.
    public var columns: [String: String] = [:]
    /// The bank's labels → contract vocabulary (transaction types, channels, products).
    public var typeLabels: [String: String] = [:]
    public var channelLabels: [String: String] = [:]
    public var productLabels: [String: String] = [:]

    public init(paths: [String]) { self.paths = paths }

    /// The header name for a contract column.
    public func header(for column: String) -> String { columns[column] ?? column }
}

/// Settings of a run that are not metrics: where things are, limits, logging.
public struct RunSettings: Sendable, Codable, Equatable {
    public var asOf: Day?
    public var output: String = "out"
    public var workDir: String?
    /// The time zone date-times are cut to days in: "UTC", an offset "+01:00", or an IANA name.
    public var timeZone: String = "UTC"
    public var reportingCurrency: String = "EUR"
    /// Reporting-currency units per unit of each other currency.
    public var rates: [String: Double] = [:]
    /// The share of rejected rows (of any input) above which the run fails with exit 65.
    public var rejectThreshold: Double = 0.01
    /// 0 means one per core.
    public var threads: Int = 0
    public var logFormat: LogFormat = .text
    public var fileMode: UInt32 = 0o640
    public var folderMode: UInt32 = 0o750
    public var maxRecordBytes: Int = 1 << 20
    public var maxFields: Int = 512
    /// Content hashes are taken for input files up to this size; larger ones are fingerprinted
    /// by size and modification time only (hashing 10 GB every night to skip a stage costs more than it saves).
    public var hashLimitBytes: Int64 = 256 << 20

    public init() {}
}

public enum LogFormat: String, Sendable, Codable, CaseIterable {
    case text, json
}

/// The whole pipeline file, with every parameter of metrics.md.
public struct PipelineConfig: Sendable, Codable, Equatable {
    public var run = RunSettings()
    public var transactions = InputSpec(paths: [])
    public var accounts: InputSpec?
    public var customers: InputSpec?
    public var windowDays = 365
    /// The churn rules' comparison period (ACTIVITY_DROP, BALANCE_DROP), folded at ingest.
    public var recentDays = 90
    public var rfm = RFMParameters()
    public var profit = ProfitParameters()
    public var clv = CLVParameters()
    public var churn = ChurnParameters()
    public var tier = TierParameters()
    /// The pipeline file, and its SHA-256, for the manifest; nil when run from flags alone.
    public var sourcePath: String?
    public var sourceSha256: String?

    public init() {}

    public var window: AnalysisWindow? {
        run.asOf.map { AnalysisWindow(asOf: $0, windowDays: windowDays, recentDays: recentDays, salaryRecentDays: churn.salaryRecentDays) }
    }
}

extension PipelineConfig {
    /// Reads a pipeline file. Relative paths in it are resolved against the file's folder,
    /// so a pipeline works from any current directory.
    public static func load(path: String) throws -> PipelineConfig {
        guard let bytes = FileSystem.readSmallFile(path) else {
            throw ConfigError(file: path, message: "cannot read the pipeline file")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: path, message: "not valid TOML at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")
        }
        var config = try parse(table: table, file: path, baseDirectory: directory(of: path))
        config.sourcePath = path
        config.sourceSha256 = SHA256.hex(bytes)
        return config
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") || base == "." { return path }
        return base + "/" + path
    }

    static func parse(table: TOMLTable, file: String, baseDirectory base: String) throws -> PipelineConfig {
        var c = PipelineConfig()
        let root = ConfigReader(file: file, path: "", table: table)

        let run = try root.table("run")
        if let s = try run.string("as_of") {
            guard let d = Day(s) else { throw ConfigError(file: file, key: "run.as_of", message: "is \"\(s)\"; expected a date YYYY-MM-DD") }
            c.run.asOf = d
        }
        if let s = try run.string("output") { c.run.output = resolve(s, against: base) }
        if let s = try run.string("work_dir") { c.run.workDir = resolve(s, against: base) }
        if let s = try run.string("time_zone") {
            guard TimeZoneOffset.seconds(for: s, at: Day(number: 0)) != nil else {
                throw ConfigError(file: file, key: "run.time_zone", message: "is \"\(s)\"; allowed \"UTC\", an offset such as \"+01:00\", or a zone name such as \"Europe/Berlin\"")
            }
            c.run.timeZone = s
        }
        if let s = try run.string("reporting_currency") {
            guard s.count == 3, s.allSatisfy({ $0.isUppercase && $0.isASCII }) else {
                throw ConfigError(file: file, key: "run.reporting_currency", message: "is \"\(s)\"; expected an ISO 4217 code such as \"EUR\"")
            }
            c.run.reportingCurrency = s
        }
        c.run.rejectThreshold = try run.double("reject_threshold", c.run.rejectThreshold, range: 0...1)
        c.run.threads = try run.int("threads", c.run.threads, range: 0...256)
        c.run.logFormat = try run.choice("log_format", c.run.logFormat)
        c.run.fileMode = try mode(run, "file_mode", c.run.fileMode, file: file)
        c.run.folderMode = try mode(run, "folder_mode", c.run.folderMode, file: file)

        let limits = try root.table("limits")
        c.run.maxRecordBytes = try limits.int("max_record_bytes", c.run.maxRecordBytes, range: 1024...(1 << 30))
        c.run.maxFields = try limits.int("max_fields", c.run.maxFields, range: 4...100_000)
        c.run.hashLimitBytes = Int64(try limits.int("hash_limit_bytes", Int(c.run.hashLimitBytes), range: 0...Int(Int64.max / 2)))

        let currency = try root.table("currency")
        if let rates = try currency.doubleMap("rates", range: 0.000_000_01...1_000_000) {
            for code in rates.keys where code.count != 3 || !code.allSatisfy({ $0.isUppercase && $0.isASCII }) {
                throw ConfigError(file: file, key: "currency.rates.\(code)", message: "is not an ISO 4217 code such as \"USD\"")
            }
            c.run.rates = rates
        }

        let inputs = try root.table("inputs")
        c.transactions = try input(inputs, "transactions", file: file, base: base, columns: TransactionColumns.all) ?? c.transactions
        c.accounts = try input(inputs, "accounts", file: file, base: base, columns: AccountColumns.all)
        c.customers = try input(inputs, "customers", file: file, base: base, columns: CustomerColumns.all)

        let window = try root.table("window")
        c.windowDays = try window.int("days", c.windowDays, range: 28...3660)

        let rfm = try root.table("rfm")
        if let rules = try rfm.tables("segments") {
            c.rfm.segments = try rules.map { r in
                guard let name = try r.string("name"), !name.isEmpty else {
                    throw ConfigError(file: file, key: r.path + ".name", message: "is missing; every segment needs a name")
                }
                return SegmentRule(name, r: try r.intRange("r", within: 1...5), f: try r.intRange("f", within: 1...5), m: try r.intRange("m", within: 1...5))
            }
        }

        let profit = try root.table("profit")
        let products = Product.allCases.map(\.name)
        if let m = try profit.doubleMap("ftp_rates", range: -0.05...1, allowedKeys: products) { c.profit.ftpRates.merge(m) { $1 } }
        if let m = try profit.doubleMap("lgd", range: 0...1, allowedKeys: ["credit_card", "personal_loan", "mortgage"]) { c.profit.lgd.merge(m) { $1 } }
        if let m = try profit.doubleMap("channel_cost", range: 0...1_000_000, allowedKeys: Channel.allCases.map(\.name)) { c.profit.channelCost.merge(m) { $1 } }
        if let m = try profit.doubleMap("account_cost", range: 0...1_000_000, allowedKeys: products) { c.profit.accountCost.merge(m) { $1 } }
        if let pd = try profit.doubles("pd_by_risk", count: 10, range: 0...1) { c.profit.pdByRisk = pd }
        c.profit.pdUnrated = try profit.double("pd_unrated", c.profit.pdUnrated, range: 0...1)
        c.profit.unknownChannelCost = try profit.double("unknown_channel_cost", c.profit.unknownChannelCost, range: 0...1_000_000)

        let clv = try root.table("clv")
        c.clv.timeUnit = try clv.choice("time_unit", c.clv.timeUnit)
        c.clv.horizonMonths = try clv.int("horizon_months", c.clv.horizonMonths, range: 1...600)
        c.clv.annualDiscountRate = try clv.double("annual_discount_rate", c.clv.annualDiscountRate, range: 0...1)
        c.clv.expectedDays = try clv.int("expected_days", c.clv.expectedDays, range: 1...3660)

        let churn = try root.table("churn")
        c.recentDays = try churn.int("recent_days", c.recentDays, range: 7...366)
        c.churn.dormantDays = try churn.int("dormant_days", c.churn.dormantDays, range: 1...3660)
        c.churn.activityDropRatio = try churn.double("activity_drop_ratio", c.churn.activityDropRatio, range: 0...1)
        c.churn.activityDropMinPrevious = try churn.int("activity_drop_min_previous", c.churn.activityDropMinPrevious, range: 0...100_000)
        c.churn.balanceDropRatio = try churn.double("balance_drop_ratio", c.churn.balanceDropRatio, range: 0...1)
        c.churn.balanceDropMinAmount = try churn.double("balance_drop_min_amount", c.churn.balanceDropMinAmount, range: 0...1e12)
        c.churn.salaryRecentDays = try churn.int("salary_recent_days", c.churn.salaryRecentDays, range: 1...366)
        c.churn.salaryMinMonths = try churn.int("salary_min_months", c.churn.salaryMinMonths, range: 1...3)
        c.churn.productClosedDays = try churn.int("product_closed_days", c.churn.productClosedDays, range: 1...3660)
        c.churn.lowPAlive = try churn.double("low_p_alive", c.churn.lowPAlive, range: 0...1)
        c.churn.lowPAliveMinRepeat = try churn.int("low_p_alive_min_repeat", c.churn.lowPAliveMinRepeat, range: 0...100_000)

        let tier = try root.table("tier")
        let weights = try tier.table("weights")
        c.tier.weightClv = try weights.double("clv", c.tier.weightClv, range: 0...1)
        c.tier.weightProfit = try weights.double("profit", c.tier.weightProfit, range: 0...1)
        c.tier.weightBalance = try weights.double("balance", c.tier.weightBalance, range: 0...1)
        c.tier.weightRfm = try weights.double("rfm", c.tier.weightRfm, range: 0...1)
        let weightSum = c.tier.weightClv + c.tier.weightProfit + c.tier.weightBalance + c.tier.weightRfm
        guard weightSum > 0 else { throw ConfigError(file: file, key: "tier.weights", message: "all weights are 0; at least one must be positive") }
        let shares = try tier.table("shares")
        c.tier.shareA = try shares.double("A", c.tier.shareA, range: 0...1)
        c.tier.shareB = try shares.double("B", c.tier.shareB, range: 0...1)
        c.tier.shareC = try shares.double("C", c.tier.shareC, range: 0...1)
        let shareSum = c.tier.shareA + c.tier.shareB + c.tier.shareC
        guard shareSum <= 1 + 1e-9 else {
            throw ConfigError(file: file, key: "tier.shares", message: "A + B + C is \(Int((shareSum * 100).rounded())) %; allowed at most 100 % (D takes the rest)")
        }
        c.tier.privateBankingThreshold = try tier.double("private_banking_threshold", c.tier.privateBankingThreshold, range: 0...1e15)
        if let cadence = try tier.stringMap("cadence") {
            for (k, v) in cadence {
                guard ["A", "B", "C", "D"].contains(k) else { throw ConfigError(file: file, key: "tier.cadence.\(k)", message: "unknown tier; allowed A, B, C, D") }
                guard TierParameters.contactsPerYear(v) != nil else {
                    throw ConfigError(file: file, key: "tier.cadence.\(k)", message: "is \"\(v)\"; allowed \"daily\", \"weekly\", \"twice a month\", \"monthly\", \"quarterly\", \"yearly\"")
                }
                c.tier.cadence[k] = v
            }
        }
        let lifecycle = try root.table("lifecycle")
        c.tier.newDays = try lifecycle.int("new_days", c.tier.newDays, range: 1...3660)
        c.tier.loyalYears = try lifecycle.int("loyal_years", c.tier.loyalYears, range: 1...100)
        c.tier.growingYears = try lifecycle.int("growing_years", c.tier.growingYears, range: 1...100)

        try root.checkUnknownKeys()
        return c
    }

    private static func mode(_ r: ConfigReader, _ key: String, _ current: UInt32, file: String) throws -> UInt32 {
        guard let s = try r.string(key) else { return current }
        guard let v = UInt32(s, radix: 8), v <= 0o777 else {
            throw ConfigError(file: file, key: "run.\(key)", message: "is \"\(s)\"; expected an octal mode such as \"0640\"")
        }
        return v
    }

    private static func input(_ inputs: ConfigReader, _ name: String, file: String, base: String, columns: [String]) throws -> InputSpec? {
        guard inputs.has(name) else {
            _ = try inputs.table(name)
            return nil
        }
        let t = try inputs.table(name)
        guard let paths = try t.strings("paths") ?? t.strings("path") else {
            throw ConfigError(file: file, key: "inputs.\(name).paths", message: "is missing; give a file, a glob, or a list of them")
        }
        var spec = InputSpec(paths: paths.map { resolve($0, against: base) })
        if let d = try t.string("delimiter") {
            let allowed = [",": UInt8(ascii: ","), ";": UInt8(ascii: ";"), "|": UInt8(ascii: "|"), "\t": 9, "tab": 9]
            guard let b = allowed[d] else {
                throw ConfigError(file: file, key: "inputs.\(name).delimiter", message: "is \"\(d)\"; allowed \",\", \";\", \"|\", \"tab\"")
            }
            spec.delimiter = b
        }
        if let map = try t.stringMap("columns") {
            for k in map.keys where !columns.contains(k) {
                let closest = columns.min { editDistance($0, k) < editDistance($1, k) } ?? ""
                throw ConfigError(file: file, key: "inputs.\(name).columns.\(k)", message: "unknown column; did you mean \"\(closest)\"? Columns: \(columns.joined(separator: ", "))")
            }
            spec.columns = map
        }
        if name == "transactions" {
            if let m = try t.stringMap("type_labels") {
                for (k, v) in m where TransactionType.named[v] == nil {
                    throw ConfigError(file: file, key: "inputs.transactions.type_labels.\(k)", message: "maps to \"\(v)\"; allowed \(TransactionType.named.keys.sorted().joined(separator: ", "))")
                }
                spec.typeLabels = m
            }
            if let m = try t.stringMap("channel_labels") {
                for (k, v) in m where Channel.named[v] == nil {
                    throw ConfigError(file: file, key: "inputs.transactions.channel_labels.\(k)", message: "maps to \"\(v)\"; allowed \(Channel.named.keys.sorted().joined(separator: ", "))")
                }
                spec.channelLabels = m
            }
        }
        if name == "accounts", let m = try t.stringMap("product_labels") {
            for (k, v) in m where Product.named[v] == nil {
                throw ConfigError(file: file, key: "inputs.accounts.product_labels.\(k)", message: "maps to \"\(v)\"; allowed \(Product.named.keys.sorted().joined(separator: ", "))")
            }
            spec.productLabels = m
        }
        return spec
    }
}

/// The contract's column names per input.
public enum TransactionColumns {
    public static let all = ["customer_id", "account_id", "txn_id", "booked_at", "amount", "currency", "type", "channel", "fee"]
}

public enum AccountColumns {
    public static let all = ["account_id", "customer_id", "product", "opened_on", "closed_on", "balance", "currency", "interest_rate", "credit_limit"]
}

public enum CustomerColumns {
    public static let all = ["customer_id", "onboarded_on", "segment", "risk_rating", "branch", "manager_id"]
}

/// Resolves the configured time zone to an offset from UTC at a given day.
public enum TimeZoneOffset {
    public static func seconds(for name: String, at day: Day) -> Int? {
        if name == "UTC" || name == "Z" { return 0 }
        if let first = name.first, first == "+" || first == "-" {
            let parts = name.dropFirst().split(separator: ":")
            guard parts.count <= 2, let h = Int(parts[0]), h <= 18 else { return nil }
            let m = parts.count == 2 ? Int(parts[1]) : 0
            guard let m, m < 60 else { return nil }
            return (first == "-" ? -1 : 1) * (h * 3600 + m * 60)
        }
        guard let zone = TimeZone(identifier: name) else { return nil }
        let date = Date(timeIntervalSince1970: Double(day.number) * 86400 + 43200)
        return zone.secondsFromGMT(for: date)
    }
}
