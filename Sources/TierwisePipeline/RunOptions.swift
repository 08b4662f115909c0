import Logging

/// How a run was asked for on the command line, beyond the pipeline file.
public struct RunOptions: Sendable {
    /// Rerun this stage and everything downstream of it, even when up to date.
    public var fromStage: StageName?
    /// Rerun every stage.
    public var force = false
    /// Stop after RFM and publish only customers.csv with the RFM columns, rejects.csv and
    /// the manifest: the quick answer when an analyst wants RFM alone.
    public var rfmOnly = false
    public var threads: Int
    public var logLevel: Logger.Level = .info
    /// Show a progress line (only when standard error is a terminal).
    public var progress = false

    public init(threads: Int) { self.threads = threads }
}

/// What a run did, for the command to report and set its exit status.
public struct RunOutcome: Sendable {
    public var outputFolder: String?
    public var stages: [StageRecord]
    public var published: Bool
    public var status: ExitStatus
    public var message: String?
}
