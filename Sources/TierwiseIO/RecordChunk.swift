/// Whole CSV records cut from a stream: the bytes, and where each record starts and ends.
///
/// A chunk never splits a record, so chunks can be parsed independently and in parallel.
/// Records exclude their line terminator. Blank lines are not records.
public struct RecordChunk: Sendable {
    public var bytes: [UInt8] = []
    public var starts: [Int] = []
    public var ends: [Int] = []
    /// The physical line (1-based) on which each record starts, for error messages and rejects.
    public var lines: [Int] = []
    /// True for the last record when the file ended inside a quoted field.
    public var lastRecordUnterminated = false

    public init() {}

    @inlinable public var count: Int { starts.count }

    /// The raw bytes of record `i`, as they stood in the file (without the terminator).
    public func withRecord<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[starts[i]..<ends[i]])) }
    }
}
