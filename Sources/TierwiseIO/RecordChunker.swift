import CSysShims
#if canImport(Glibc)
import Glibc
#endif

/// Cuts a byte stream into chunks of whole CSV records, following RFC 4180 quoting so that a
/// quoted delimiter or newline never splits a record, whatever the read block size.
///
/// It also strips a UTF-8 byte order mark, accepts LF, CRLF and lone CR terminators, checks
/// that the text is UTF-8, and bounds the size of one record.
///
/// - Complexity: O(n) over the bytes, one pass, memory bounded by `chunkBytes + maxRecordBytes`.
public final class RecordChunker {
    /// `closedQuote`: blanks after a closing quote, where libcsv expects a delimiter; a quote
    /// there is an error, not an escaped quote.
    private enum State: UInt8 { case fieldStart, unquoted, quoted, quoteInQuoted, closedQuote }

    public let path: String
    private let stream: ByteStream
    private let options: CSVOptions
    /// The bytes read and not yet handed on, in `buffer[0..<filled]`; the rest is room for
    /// the next reads, left uninitialized (`room`).
    private var buffer: [UInt8]
    private var filled = 0
    /// Where scanning resumes in `buffer`.
    private var scanPos = 0
    private var state: State = .fieldStart
    /// Start of the record being scanned, and its line.
    private var recordStart = 0
    private var recordLine = 1
    private var line = 1
    private var pending = RecordChunk()
    /// Where `CSysShims_lineEnds` writes the LFs of the stretch being scanned; reused.
    private var lineEnds: [Int] = []
    /// The line of a record found longer than `maxRecordBytes` while scanning.
    private var oversizedRecordLine: Int?
    private var atStart = true
    private var sourceDone = false
    private var finished = false

    public init(stream: ByteStream, path: String, options: CSVOptions = CSVOptions()) {
        self.stream = stream
        self.path = path
        self.options = options
        buffer = Self.room(options.chunkBytes + options.readBlockBytes)
    }

    /// `count` bytes to read into, not initialized first: zeroing the room for each read,
    /// only for the read to overwrite it, was a pass over every byte of the input.
    private static func room(_ count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// The next chunk of whole records, or nil after the last.
    public func next() throws -> RecordChunk? {
        while !finished {
            if recordStart >= options.chunkBytes {
                let chunk = try cut(final: false)
                if chunk.count > 0 { return chunk }
                continue
            }
            if sourceDone && !atStart && scanPos >= filled {
                let chunk = try cut(final: true)
                if chunk.count > 0 { return chunk }
                continue
            }
            let before = scanPos
            if !atStart { scan() }
            if let line = oversizedRecordLine {
                throw IOError(.malformedFile, path: path, line: line,
                              message: "a record is longer than the limit of \(options.maxRecordBytes) bytes",
                              remedy: "Look for an unterminated quote at that line, or raise max_record_bytes in the pipeline file")
            }
            if filled - recordStart > options.maxRecordBytes {
                throw IOError(.malformedFile, path: path, line: recordLine,
                              message: "a record is longer than the limit of \(options.maxRecordBytes) bytes",
                              remedy: "Look for an unterminated quote at that line, or raise max_record_bytes in the pipeline file")
            }
            if scanPos == before { try fill() }
        }
        return nil
    }

    private func fill() throws {
        if filled == buffer.count {
            // A record longer than a chunk: the room doubles.
            var larger = Self.room(2 * buffer.count)
            larger.withUnsafeMutableBytes { to in buffer.withUnsafeBytes { to.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<filled])) } }
            buffer = larger
        }
        // A read fills at most what is left of the room, so that a chunk's buffer never moves.
        let start = filled, end = min(buffer.count, filled + options.readBlockBytes)
        let n = try buffer.withUnsafeMutableBytes { raw in
            try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[start..<end]))
        }
        filled += n
        if n == 0 { sourceDone = true }
        if atStart && (filled >= 3 || sourceDone) {
            atStart = false
            if filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
                let rest = filled - 3
                buffer.withUnsafeMutableBytes { raw in raw.baseAddress!.copyMemory(from: raw.baseAddress! + 3, byteCount: rest) }
                filled = rest
            }
        }
    }

    /// Scans the unscanned bytes, recording every record that ends in them.
    private func scan() {
        let delimiter = options.delimiter
        let quote = UInt8(ascii: "\""), space = UInt8(ascii: " ")
        // libcsv trims spaces and tabs around fields (only spaces when tab is the delimiter).
        let tab: UInt8 = delimiter == 9 ? space : 9
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let count = filled
        let sourceDone = self.sourceDone
        var i = scanPos
        var state = self.state
        if lineEnds.count < count - i { lineEnds = [Int](repeating: 0, count: max(count - i, 2 * lineEnds.count)) }
        var fast = true
        buffer.withUnsafeBufferPointer { b in
            scanning: while i < count {
                // Fast path: outside quotes, up to the next quote or CR, records end exactly at
                // each LF, found 16 bytes at a time with the check for quotes and CRs in the same
                // pass. From there the bytes are followed one at a time until a record ends
                // outside quotes, and then the fast path is taken again: a dump with a quoted
                // field here and there (a name with a comma) is otherwise read a byte at a time.
                // A CR stops the fast path for the rest of the bytes: in a file of CR LF lines
                // every line would be looked at twice.
                var stop = i
                if fast && state != .quoted && state != .quoteInQuoted {
                    let n = count - i
                    var at = 0
                    let found = lineEnds.withUnsafeMutableBufferPointer { CSysShims_lineEnds(b.baseAddress! + i, n, $0.baseAddress!, &at) }
                    stop = i + at
                    if stop < count && b[stop] == cr { fast = false }
                    if found > 0 {
                        endRecords(lineEnds.prefix(found), after: i)
                        i += lineEnds[found - 1] + 1
                        state = .fieldStart
                    }
                }
                if !fast { stop = count }
                while i < count {
                    let c = b[i]
                    if c == lf || c == cr {
                        var next = i + 1
                        var newLine = true
                        if c == cr {
                            // CR LF is one terminator: wait for the next byte to know which this is.
                            if i + 1 >= count && !sourceDone { break scanning }
                            if i + 1 < count && b[i + 1] == lf { next = i + 2 } else if state == .quoted { newLine = false }
                        }
                        if newLine { line += 1 }
                        let ended = state != .quoted
                        if ended {
                            endRecord(at: i, next: next)
                            state = .fieldStart
                        }
                        i = next
                        // Past the quote or CR that stopped the fast path, and between records again.
                        if ended && i > stop { continue scanning }
                        continue
                    }
                    switch state {
                    case .fieldStart:
                        if c == quote { state = .quoted } else if c != delimiter && c != space && c != tab { state = .unquoted }
                    case .unquoted:
                        if c == delimiter { state = .fieldStart }
                    case .quoted:
                        if c == quote { state = .quoteInQuoted }
                    case .quoteInQuoted:
                        if c == quote { state = .quoted } else if c == delimiter { state = .fieldStart } else if c == space || c == tab { state = .closedQuote } else { state = .unquoted }
                    case .closedQuote:
                        if c == delimiter { state = .fieldStart } else if c != space && c != tab { state = .unquoted }
                    }
                    i += 1
                }
            }
        }
        self.state = state
        scanPos = i
    }

    /// `endRecord` for records that each end at an LF, at `offsets` from `start`: the chunk's
    /// lists grow once for them all rather than three appends a record.
    private func endRecords(_ offsets: ArraySlice<Int>, after start: Int) {
        // The lists are taken out of `pending` while they are written: three overlapping
        // accesses to one stored property would break exclusivity.
        var chunk = RecordChunk()
        swap(&chunk, &pending)
        defer { swap(&chunk, &pending) }
        var kept = chunk.starts.count
        chunk.starts.append(contentsOf: repeatElement(0, count: offsets.count))
        chunk.ends.append(contentsOf: repeatElement(0, count: offsets.count))
        chunk.lines.append(contentsOf: repeatElement(0, count: offsets.count))
        chunk.starts.withUnsafeMutableBufferPointer { starts in
            chunk.ends.withUnsafeMutableBufferPointer { ends in
                chunk.lines.withUnsafeMutableBufferPointer { lines in
                    for offset in offsets {
                        let end = start + offset
                        line += 1
                        guard let record = close(at: end, next: end + 1) else { continue }
                        starts[kept] = record.start
                        ends[kept] = end
                        lines[kept] = record.line
                        kept += 1
                    }
                }
            }
        }
        let unused = chunk.starts.count - kept
        chunk.starts.removeLast(unused)
        chunk.ends.removeLast(unused)
        chunk.lines.removeLast(unused)
    }

    private func endRecord(at end: Int, next: Int) {
        guard let record = close(at: end, next: next) else { return }
        pending.starts.append(record.start)
        pending.ends.append(end)
        pending.lines.append(record.line)
    }

    /// Ends the record being scanned at `end`, the next one starting at `next`, and gives the
    /// ended record's start and line, or nil when it is empty (a blank line is no record).
    /// A record over `maxRecordBytes` is noted for `next()` to report.
    @inline(__always)
    private func close(at end: Int, next: Int) -> (start: Int, line: Int)? {
        if end - recordStart > options.maxRecordBytes && oversizedRecordLine == nil { oversizedRecordLine = recordLine }
        defer {
            recordStart = next
            recordLine = line
        }
        return end > recordStart ? (recordStart, recordLine) : nil
    }

    /// True when the unterminated last record has data on a line after the one its quote
    /// opened on (a file that merely ends inside the quote, before or after one newline, has not).
    private func swallowsLaterLines() -> Bool {
        guard let newline = buffer[recordStart..<filled].firstIndex(of: UInt8(ascii: "\n")) else { return false }
        return buffer[(newline + 1)..<filled].contains { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
    }

    /// Hands on the records found so far and keeps the partial one for the next chunk.
    private func cut(final: Bool) throws -> RecordChunk {
        // A quote opened and never closed that swallowed later lines makes the file unreadable
        // (those lines cannot be counted as records). It is reported after the UTF-8 check, so
        // a file with both faults gets the same error whatever the chunk size.
        var swallowedFrom: Int?
        if final {
            if state == .quoted && swallowsLaterLines() { swallowedFrom = recordLine }
            if filled > recordStart {
                pending.starts.append(recordStart)
                pending.ends.append(filled)
                pending.lines.append(recordLine)
                pending.lastRecordUnterminated = state == .quoted
            }
            recordStart = filled
            finished = true
        }
        var chunk = pending
        pending = RecordChunk()
        // The next chunk's lists are sized like this one's, so they do not grow by copying.
        let expected = chunk.count + chunk.count / 8
        pending.starts.reserveCapacity(expected)
        pending.ends.reserveCapacity(expected)
        pending.lines.reserveCapacity(expected)
        // The chunk takes the buffer itself, cut after its last whole record, and the partial
        // record starts a new buffer: copying the records out was 1.4 % of an RFM-only run.
        let partial = filled - recordStart
        // Room for the partial record and a whole chunk after it: the reads then end where
        // the chunk does. With only a chunk's room, the last read found a block less the
        // partial record left, and the buffer was moved to a larger one (1 MB copied and
        // 2 MB of new pages) for nearly every chunk.
        var rest = Self.room(partial + options.chunkBytes + options.readBlockBytes)
        let from = recordStart
        rest.withUnsafeMutableBytes { to in buffer.withUnsafeBytes { to.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[from..<(from + partial)])) } }
        buffer.removeSubrange(recordStart...)
        chunk.bytes = buffer
        buffer = rest
        filled = partial
        try validateUTF8(chunk)
        if let swallowedFrom {
            throw IOError(.malformedFile, path: path, line: swallowedFrom,
                          message: "a quoted field that opens on this line is never closed; the \(line - swallowedFrom) lines after it cannot be read as records",
                          remedy: "Fix the quoting at that line and export the file again")
        }
        scanPos -= recordStart
        recordStart = 0
        return chunk
    }

    private func validateUTF8(_ chunk: RecordChunk) throws {
        if let bad = UTF8Check.firstInvalid(chunk.bytes) {
            // Find the record holding the bad byte to name its line.
            var lineNo = chunk.lines.first ?? line
            for (k, start) in chunk.starts.enumerated() where start <= bad { lineNo = chunk.lines[k] }
            var extra = 0
            for k in chunk.starts.indices where chunk.starts[k] <= bad && bad < chunk.ends[k] {
                extra = chunk.bytes[chunk.starts[k]..<bad].reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            }
            throw IOError(.notUTF8, path: path, line: lineNo + extra,
                          message: "the file is not UTF-8 text (invalid byte 0x\(String(chunk.bytes[bad], radix: 16, uppercase: true)))",
                          remedy: "Export the file as UTF-8")
        }
    }
}
