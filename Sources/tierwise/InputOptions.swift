import ArgumentParser
import TierwiseAnalytics
import TierwisePipeline

/// Options shared by `run` and `validate`: the pipeline file and what overrides it.
struct InputOptions: ParsableArguments {
    @Argument(help: "The pipeline file (TOML). Without one, the defaults of metrics.md and the flags below are used.")
    var pipeline: String?

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

    /// The pipeline file with the flags applied over it.
    func config() throws -> PipelineConfig {
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

extension StageName: ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
