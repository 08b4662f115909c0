/// summary.json: every figure of the report, for machines. Field names are snake_case in the
/// file (the encoder converts them); docs/summary-json.md documents each one. Bump
/// `schemaVersion` when a field is renamed or removed.
public struct Summary: Codable, Sendable, Equatable {
    public static let currentSchemaVersion = 1

    public var schemaVersion = Summary.currentSchemaVersion
    public var toolVersion: String
    public var asOf: String
    public var windowDays: Int
    public var reportingCurrency: String
    public var headline: Headline
    public var profit: ProfitSummary
    public var tiers: TierSummary
    public var rfm: RFMSummary
    public var models: Models
    public var churn: ChurnSummary
    public var tierMovement: TierMovement
    public var managers: [ManagerRow]
    public var dataQuality: DataQuality
    public var notes: [String]

    public struct Headline: Codable, Sendable, Equatable {
        public var customers: Int
        /// Customers with a customer-initiated transaction in the window.
        public var activeCustomers: Int
        public var totalProfit: Double
        /// Nil when the lifetime-value model could not be fitted.
        public var totalClv: Double?
        public var customersFlagged: Int
        public var valueAtRisk: Double?
        /// "ok", or "rejects" when rows were rejected (below the threshold).
        public var dataQualityStatus: String
    }

    public struct ProfitSummary: Codable, Sendable, Equatable {
        public var total: Double
        public var netInterestIncome: Double?
        public var feeIncome: Double
        public var expectedLoss: Double?
        public var costToServe: Double
        public var negativeProfitCustomers: Int
        /// Share of total profit from the top 20 % of customers by profit.
        public var top20Share: Double?
        /// The Pareto curve: cumulative share of profit (y) against share of customers by profit, best first (x), 0…1.
        public var pareto: [[Double]]
    }

    public struct TierRow: Codable, Sendable, Equatable {
        public var tier: String
        public var customers: Int
        public var profit: Double
        public var clv: Double?
        public var relationshipBalance: Double
        public var cadence: String
        /// Contacts a week the cadence implies for all customers of the tier.
        public var contactsPerWeek: Double
        public var privateBankingOverrides: Int
    }

    public struct TierSummary: Codable, Sendable, Equatable {
        public var rows: [TierRow]
        public var contactsPerWeek: Double
        /// Weights of the value score actually used (CLV's is spread over the others without a model).
        public var weights: [String: Double]
    }

    public struct SegmentRow: Codable, Sendable, Equatable {
        public var segment: String
        public var customers: Int
        public var monetary: Double
        public var profit: Double
    }

    public struct RFMSummary: Codable, Sendable, Equatable {
        /// Customers by R score (rows, 5 first) and F score (columns, 1 first).
        public var countsRByF: [[Int]]
        /// Mean monetary value in the same grid; nil for empty cells.
        public var meanMonetaryRByF: [[Double?]]
        public var segments: [SegmentRow]
    }

    public struct BGNBDSummary: Codable, Sendable, Equatable {
        public var r: Double?
        public var alpha: Double?
        public var a: Double?
        public var b: Double?
        public var logLikelihood: Double?
        public var customers: Int
        public var repeatCustomers: Int
        public var converged: Bool
        public var iterations: Int
        public var gradientNorm: Double
        public var method: String
        public var reason: String?
    }

    public struct GammaGammaSummary: Codable, Sendable, Equatable {
        public var p: Double?
        public var q: Double?
        public var gamma: Double?
        public var logLikelihood: Double?
        public var customers: Int
        public var converged: Bool
        public var iterations: Int
        public var expectedSpendDefined: Bool
        public var reason: String?
    }

    public struct Models: Codable, Sendable, Equatable {
        public var timeUnit: String
        public var bgnbd: BGNBDSummary
        public var gammaGamma: GammaGammaSummary?
        /// P(alive) of modelled customers in ten buckets of 10 %.
        public var pAliveHistogram: [Int]
        /// Mean expected transactions in the next 12 months by frequency (rows: repeat days
        /// buckets) and recency (columns: weeks since last purchase buckets).
        public var frequencyRecency: FrequencyRecency?
        public var unavailableReason: String?
    }

    public struct FrequencyRecency: Codable, Sendable, Equatable {
        public var frequencyBuckets: [String]
        public var recencyBuckets: [String]
        public var expectedTransactions: [[Double?]]
    }

    public struct WatchRow: Codable, Sendable, Equatable {
        public var customerId: String
        public var tier: String
        public var managerId: String
        public var valueAtRisk: Double?
        public var severity: String
        public var flags: [String]
        public var reasons: String
    }

    public struct ChurnSummary: Codable, Sendable, Equatable {
        public var byFlag: [String: Int]
        public var bySeverity: [String: Int]
        public var top: [WatchRow]
        public var unchecked: [String]
    }

    public struct TierMovement: Codable, Sendable, Equatable {
        public var previousRun: String?
        /// Rows: tier in the previous run (A…D); columns: tier now (A…D).
        public var matrix: [[Int]]
        public var moved: Int
        public var up: Int
        public var down: Int
    }

    public struct ManagerRow: Codable, Sendable, Equatable {
        public var managerId: String
        public var customers: Int
        public var byTier: [String: Int]
        public var profit: Double
        public var watchlistCustomers: Int
        public var valueAtRisk: Double?
    }

    public struct InputQuality: Codable, Sendable, Equatable {
        public var name: String
        public var files: [FileQuality]
        public var rowsRead: Int
        public var accepted: Int
        public var rejected: Int
        public var afterAsOf: Int
        public var rejectsByReason: [String: Int]

        public init(name: String, files: [FileQuality], rowsRead: Int, accepted: Int, rejected: Int, afterAsOf: Int, rejectsByReason: [String: Int]) {
            self.name = name
            self.files = files
            self.rowsRead = rowsRead
            self.accepted = accepted
            self.rejected = rejected
            self.afterAsOf = afterAsOf
            self.rejectsByReason = rejectsByReason
        }
    }

    public struct FileQuality: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int64
        public var sha256: String?
        public var compression: String

        public init(path: String, bytes: Int64, sha256: String?, compression: String) {
            self.path = path
            self.bytes = bytes
            self.sha256 = sha256
            self.compression = compression
        }
    }

    public struct DataQuality: Codable, Sendable, Equatable {
        public var inputs: [InputQuality]
        public var rejectThreshold: Double
        public var status: String

        public init(inputs: [InputQuality], rejectThreshold: Double, status: String) {
            self.inputs = inputs
            self.rejectThreshold = rejectThreshold
            self.status = status
        }
    }

    /// Stage timings are not part of summary.json (they differ run to run, and summary.json
    /// is byte-identical for the same inputs); they are in manifest.json and the HTML report.
    public struct StageTiming: Codable, Sendable, Equatable {
        public var stage: String
        public var status: String
        public var seconds: Double

        public init(stage: String, status: String, seconds: Double) {
            self.stage = stage
            self.status = status
            self.seconds = seconds
        }
    }
}
