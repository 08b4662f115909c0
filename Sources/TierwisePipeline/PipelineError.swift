import TierwiseIO

/// The exit codes, after sysexits(3), so a cron job can tell failures apart.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    case ok = 0
    /// The command line or pipeline file is wrong.
    case usage = 64
    /// The input data is unusable: a bad header, a corrupt file, too many rejected rows.
    case dataError = 65
    /// An input file is missing or unreadable.
    case noInput = 66
    /// A bug or an unexpected state; the message says where.
    case software = 70
    /// The output cannot be written (disk full, permissions).
    case cannotCreate = 73
    /// Another run holds the lock on the output folder.
    case tempFail = 75
}

/// A failure of the run that maps to one exit status and a message a person can act on.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
    public var status: ExitStatus
    public var message: String

    public init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// Classifies any error thrown below the pipeline.
    public static func from(_ error: Error) -> PipelineError {
        switch error {
        case let e as PipelineError: return e
        case let e as ConfigError: return PipelineError(.usage, e.description)
        case let e as RunLock.Held: return PipelineError(.tempFail, e.description)
        case let e as IOError:
            switch e.kind {
            case .cannotOpen, .readFailed: return PipelineError(e.kind == .cannotOpen ? .noInput : .dataError, e.description)
            case .corruptCompression, .notUTF8, .malformedFile: return PipelineError(.dataError, e.description)
            case .cannotWrite: return PipelineError(.cannotCreate, e.description)
            }
        default: return PipelineError(.software, "internal error: \(error)")
        }
    }
}
