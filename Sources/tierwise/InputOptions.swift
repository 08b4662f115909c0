import ArgumentParser
import Logging
import TierwiseAnalytics
import TierwisePipeline

/// The flags that name the inputs and the output, shared by `run`, `validate` and `merge`;
/// they override the pipeline file.
struct InputFlags: ParsableArguments {
    @Option(name: .customLong("transactions"), help: "A transactions dump: a file or a glob, plain, .zst or .gz. Repeat for several.")
    var transactions: [String] = []

    @Option(help: "The accounts dump (balances, products, rates). Optional; without it profit has no interest income.")
    var accounts: String?

    @Option(help: "The customers dump (onboarding date, risk rating, relationship manager). Optional.")
    var customers: String?

    @Option(name: .customLong("as-of"), help: "The day the run describes, YYYY-MM-DD. Default: the latest booking day in the transactions.")
    var asOf: String?

    @Option(help: "The output folder; each run writes <output>/<as-of>/.")
    var output: String?

    /// The pipeline file (or the defaults) with these flags applied over it.
    func config(pipeline: String?) throws -> PipelineConfig {
        var c = try pipeline.map(PipelineConfig.load(path:)) ?? PipelineConfig()
        if !transactions.isEmpty { c.transactions = InputSpec(paths: transactions) }
        if let accounts { c.accounts = InputSpec(paths: [accounts]) }
        if let customers { c.customers = InputSpec(paths: [customers]) }
        if let asOf {
            guard let d = Day(asOf) else { throw PipelineError(.usage, "--as-of \(asOf): expected a date YYYY-MM-DD") }
            c.run.asOf = d
        }
        if let output { c.run.output = output }
        if c.transactions.paths.isEmpty {
            throw PipelineError(.usage, "no transactions input: give --transactions PATH or a pipeline file with [inputs.transactions]")
        }
        return c
    }
}

/// `run` and `validate`: the pipeline file, then the flags that override it.
struct InputOptions: ParsableArguments {
    @Argument(help: "The pipeline file (TOML). Without one, the defaults of metrics.md and the flags below are used.")
    var pipeline: String?

    @OptionGroup var flags: InputFlags

    func config() throws -> PipelineConfig { try flags.config(pipeline: pipeline) }
}

/// How a run that executes stages works and logs, shared by `run` and `merge`.
struct RunFlags: ParsableArguments {
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
}

extension StageName: ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
