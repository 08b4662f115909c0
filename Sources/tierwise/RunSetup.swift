import Foundation
import Logging
import TierwisePipeline

/// What `run` and `merge` both do around the pipeline: a logger in the chosen format, the
/// run options with the thread count, and the exit status and printed folder at the end.
enum RunSetup {
    static func logger(config: PipelineConfig, flags: RunFlags) -> (Logger, RunOptions, LogFormat) {
        let format = flags.logFormat ?? config.run.logFormat
        let level = Logger.Level(rawValue: flags.logLevel) ?? .info
        var logger = Logger(label: "tierwise") { _ in RunLogHandler(format: format, level: level) }
        logger.logLevel = level
        var options = RunOptions(threads: flags.threads ?? (config.run.threads > 0 ? config.run.threads : ProcessInfo.processInfo.activeProcessorCount))
        options.logLevel = level
        return (logger, options, format)
    }

    static func finish(_ outcome: RunOutcome) {
        if outcome.status != .ok { Foundation.exit(outcome.status.rawValue) }
        if let folder = outcome.outputFolder { print(outcome.published ? "wrote \(folder)" : "up to date: \(folder)") }
    }
}
