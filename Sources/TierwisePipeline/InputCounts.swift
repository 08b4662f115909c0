/// How many rows of one input were read, used, rejected and left out, for the manifest.
/// The counts reconcile: read = accepted + rejected + after the as-of date.
public struct InputCounts: Sendable, Codable, Equatable {
    public struct FileInfo: Sendable, Codable, Equatable {
        public var path: String
        public var bytes: Int64
        public var sha256: String?
        public var compression: String
        public var modified: Int64
        public var rowsRead: Int = 0
    }

    public var name: String
    public var files: [FileInfo] = []
    public var rowsRead = 0
    public var accepted = 0
    public var rejected = 0
    public var afterAsOf = 0
    public var rejectsByReason: [String: Int] = [:]
    /// Contract columns this input had, so later stages know what is missing.
    public var columns: [String] = []

    public init(name: String) { self.name = name }

    public var reconciles: Bool { rowsRead == accepted + rejected + afterAsOf }

    public var rejectShare: Double { rowsRead == 0 ? 0 : Double(rejected) / Double(rowsRead) }
}
