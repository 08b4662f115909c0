import ArgumentParser
import Foundation
import Logging
import TierwiseAnalytics
import TierwisePipeline

/// `tierwise merge` (issue 9): combines shard results into one output folder equal to a single run.
struct Merge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge the results of `tierwise run --shard K/N` into one output folder, as a single run would write it.",
        discussion: """
        Reads each shard's features, ingest counts and rejects (never the dumps), checks that the \
        shards are 0/N … (N-1)/N of one N, with one as-of date and the inputs and ingest parameters \
        of the pipeline file given, then runs rfm, clv, profit, churn, tier and report and publishes \
        <output>/<as-of>/.

        A SHARD_DIR is a shard's run folder (out/shard-2-of-4/2026-10-31), a shard's output root \
        (out/shard-2-of-4), or a folder holding shard-K-of-N folders (out).

        Examples:
          tierwise merge pipelines/sample.toml --output merged out
          tierwise merge pipelines/sample.toml --output merged out/shard-*-of-4
        """)

    @Argument(help: "The pipeline file (a .toml, first), then the shard folders.")
    var paths: [String] = []

    /// The inputs as given to the shards: checked against the shards' fingerprint, never read.
    @OptionGroup var flags: InputFlags
    @OptionGroup var runFlags: RunFlags
    @Flag(help: "Rerun every stage after features.")
    var force = false

    func run() throws {
        var rest = paths
        var pipeline: String?
        if let first = rest.first, first.hasSuffix(".toml") { pipeline = first; rest.removeFirst() }
        guard !rest.isEmpty else { fail(PipelineError(.usage, "give the shard folders to merge")) }
        var config: PipelineConfig
        do { config = try flags.config(pipeline: pipeline) } catch { fail(PipelineError.from(error)) }
        let merge: ShardMergeInput
        do { merge = try ShardMergeInput.load(rest, asOf: config.run.asOf) } catch { fail(PipelineError.from(error)) }
        config.run.asOf = merge.asOf
        var (logger, options, _) = RunSetup.logger(config: config, flags: runFlags)
        options.force = force
        options.merge = merge
        RunSetup.finish(PipelineRunner(config: config, options: options, logger: logger).run())
    }
}
