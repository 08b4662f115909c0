import ArgumentParser
import Foundation
import TierwisePipeline

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain one customer's figures: what drove each, where the scores fall, each churn rule, and what would move the tier.",
        discussion: "Reads the saved results of a run, not the dumps: run `tierwise run` first.")

    @Argument(help: "The customer id.") var customer: String

    @Option(name: .customLong("run"), help: "The run folder (<output>/<as-of>). Default: the latest run under ./out.") var runFolder: String?

    func run() throws {
        do {
            let folder = try runFolder ?? Explanation.latestRun(in: "out")
            print(try Explanation.explain(customer: customer, runFolder: folder))
        } catch {
            fail(PipelineError.from(error))
        }
    }
}
