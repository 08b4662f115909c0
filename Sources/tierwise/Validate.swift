import ArgumentParser
import Foundation
import TierwisePipeline

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file and the headers of its inputs without running anything.")

    @OptionGroup var inputs: InputOptions

    func run() throws {
        do {
            let config = try inputs.config()
            let report = try PipelineCheck.check(config)
            for line in report { print(line) }
            print("ok: the pipeline file and the inputs' headers are usable")
        } catch {
            fail(PipelineError.from(error))
        }
    }
}
