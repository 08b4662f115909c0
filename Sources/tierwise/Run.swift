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

    @Option(help: "Worker threads. Default: one per core. Results are the same for any number.")
    var threads: Int?

    @Option(name: .customLong("log-format"), help: "text (for people) or json (one object per line, for log collectors).")
    var logFormat: LogFormat?

    @Option(name: .customLong("log-level"), help: "info (default), debug (may print customer ids), warning or error.")
    var logLevel: String = "info"

    func validate() throws {
        if let threads, threads < 1 || threads > 256 { throw ValidationError("--threads must be between 1 and 256") }
        if Logger.Level(rawValue: logLevel) == nil { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
    }

    func run() throws {
        let config: PipelineConfig
        do { config = try inputs.config() } catch { fail(PipelineError.from(error)) }
        let format = logFormat ?? config.run.logFormat
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "tierwise") { _ in RunLogHandler(format: format, level: level) }
        logger.logLevel = level
        var options = RunOptions(threads: threads ?? (config.run.threads > 0 ? config.run.threads : ProcessInfo.processInfo.activeProcessorCount))
        options.fromStage = stage
        options.force = force
        options.rfmOnly = rfmOnly
        options.logLevel = level
        options.progress = isatty(2) == 1 && format == .text
        let outcome = PipelineRunner(config: config, options: options, logger: logger).run()
        if outcome.status != .ok {
            Foundation.exit(outcome.status.rawValue)
        }
        if let folder = outcome.outputFolder {
            print(outcome.published ? "wrote \(folder)" : "up to date: \(folder)")
        }
    }
}
