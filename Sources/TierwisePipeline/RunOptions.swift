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
    /// Shard mode (issue 9): ingest keeps only this shard's customers; the run stops after
    /// `features` and publishes the shard's partial result.
    public var shard: ShardSpec? = nil
    /// With `shard`: the transactions files given are this shard's part of an export already
    /// split by the same customer hash; every row in them is this shard's.
    public var shardInput = false
    /// Merge mode (issue 9): the shards' results stand in for ingest and features.
    public var merge: ShardMergeInput? = nil

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
