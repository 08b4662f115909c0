/// An I/O failure that a person can act on: which file, what went wrong, and what to do.
///
/// The message never includes file contents, so customer data cannot leak into logs.
public struct IOError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The file is missing or cannot be opened for reading.
        case cannotOpen
        /// A read failed part way through.
        case readFailed
        /// The compressed stream is corrupt or ends early.
        case corruptCompression
        /// The bytes are not text in the expected encoding.
        case notUTF8
        /// A record is malformed in a way that makes the rest of the file unreadable.
        case malformedFile
        /// Creating, writing, syncing or renaming an output failed.
        case cannotWrite
    }

    public var kind: Kind
    public var path: String
    public var line: Int?
    public var message: String
    public var remedy: String?
    public var errno: Int32?

    public init(_ kind: Kind, path: String, line: Int? = nil, message: String, remedy: String? = nil, errno: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.line = line
        self.message = message
        self.remedy = remedy
        self.errno = errno
    }

    public var description: String {
        var text = path
        if let line { text += ":\(line)" }
        text += ": \(message)"
        if let errno { text += " (\(SystemCalls.describe(errno: errno)))" }
        if let remedy { text += ". \(remedy)" }
        return text
    }
}
