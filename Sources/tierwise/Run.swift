import ArgumentParser
import Foundation
import Logging
import TierwisePipeline

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the dumps and write tiers, the watchlist and the reports.",
        discussion: """
        Stages: ingest, features, then rfm, clv and profit together, then churn, tier and report. \
        Each stage saves its result in the work folder (<output>/.work/<as-of>/) and is skipped on \
        the next run while nothing it depends on changed. Outputs appear in <output>/<as-of>/ only \
        when every stage succeeded.

        Examples:
          tierwise run pipelines/sample.toml
          tierwise run pipelines/sample.toml --stage tier      # after changing a tier parameter
          tierwise run --transactions t.csv.zst --output out    # defaults, one file
        """)

    @OptionGroup var inputs: InputOptions

    @Option(help: "Rerun this stage and everything after it, from the saved results of the stages before it: \(StageName.allCases.map(\.rawValue).joined(separator: ", ")).")
    var stage: StageName?

    @Flag(help: "Rerun every stage, even those that are up to date.")
    var force = false

    @Flag(name: .customLong("rfm-only"), help: "Stop after RFM: write only customers.csv with the RFM columns, rejects.csv and the manifest.")
    var rfmOnly = false

    @OptionGroup var runFlags: RunFlags

    @Option(help: ArgumentHelp("Run as shard K of N (K/N, 0 ≤ K < N): only the customers whose id hashes to K; stop after features and publish <output>/shard-K-of-N/<as-of>/ for `tierwise merge`. 'auto' reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, or Kubernetes' JOB_COMPLETION_INDEX with N from 'auto/N' or TIERWISE_SHARD_COUNT. Needs --as-of (or run.as_of).", valueName: "K/N|auto|auto/N"))
    var shard: String?

    @Flag(name: .customLong("shard-input"), help: "With --shard: the transactions given are this shard's part of an export already split by the same customer hash (IdInterner.hash(customer_id) % N), so the shard reads only them. The customers and accounts dumps are still read whole.")
    var shardInput = false

    func run() throws {
        var config: PipelineConfig
        do { config = try inputs.config() } catch { fail(PipelineError.from(error)) }
        var (logger, options, format) = RunSetup.logger(config: config, flags: runFlags)
        options.fromStage = stage
        options.force = force
        options.rfmOnly = rfmOnly
        options.progress = isatty(2) == 1 && format == .text
        // Shard mode (issue 9).
        if shardInput && shard == nil { fail(PipelineError(.usage, "--shard-input needs --shard")) }
        if let shard {
            let spec: ShardSpec
            do { spec = try ShardSpec.resolve(shard, environment: ProcessInfo.processInfo.environment) } catch { fail(PipelineError.from(error)) }
            if config.run.asOf == nil { fail(PipelineError(.usage, "--shard needs an as-of date (--as-of or run.as_of), so that every shard describes the same day")) }
            if rfmOnly { fail(PipelineError(.usage, "--shard and --rfm-only cannot be combined; merge the shards, then read the RFM columns")) }
            config.run.output += "/" + spec.name
            if let work = config.run.workDir { config.run.workDir = work + "/" + spec.name }
            options.shard = spec
            options.shardInput = shardInput
            // --shard-input with --transactions: this shard's files, with the pipeline file's column and label mappings.
            if shardInput && !inputs.flags.transactions.isEmpty, inputs.pipeline != nil {
                var base = inputs
                base.flags.transactions = []
                if var c = try? base.config() {
                    c.transactions.paths = inputs.flags.transactions
                    c.run.output = config.run.output
                    c.run.workDir = config.run.workDir
                    config = c
                }
            }
        }
        RunSetup.finish(PipelineRunner(config: config, options: options, logger: logger).run())
    }
}
