import ArgumentParser
import Foundation
import TierwisePipeline

@main
struct Tierwise: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tierwise",
        abstract: "Customer tiers, lifetime value and churn warnings from a bank's nightly CSV dumps.",
        discussion: """
        Exit codes: 0 ok, 64 usage (bad flags or pipeline file), 65 data error (bad header, corrupt \
        file, too many rejected rows), 66 missing or unreadable input, 70 internal error, \
        73 output cannot be written, 75 another run holds the lock.
        """,
        subcommands: [Run.self, Generate.self, Validate.self, Explain.self, Merge.self])  // Merge: issue 9
}

/// Exits with a pipeline status after printing the message, never a stack trace.
func fail(_ error: PipelineError) -> Never {
    FileHandle.standardError.write(Data("tierwise: \(error.message)\n".utf8))
    Foundation.exit(error.status.rawValue)
}
