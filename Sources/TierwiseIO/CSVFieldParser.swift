import CCSV
import CSysShims
#if canImport(Glibc)
import Glibc
#endif

/// Splits one CSV record into unescaped fields with libcsv in strict mode.
///
/// The record's bytes come from `RecordChunker`, which already knows where records end;
/// libcsv then does the RFC 4180 unquoting. Fields are copied into one reused arena that
/// libcsv's callbacks reach through a plain pointer (no reference counting per field), so
/// parsing a record allocates nothing once the arena has grown to the longest record. A
/// record with nothing to unquote or trim is split without libcsv, 16 bytes at a time, and
/// `parseInPlace` leaves its fields where the record lies.
/// A final class because it owns libcsv's parser and the arena, freed in `deinit`.
public final class CSVFieldParser {
    public enum Outcome: Equatable, Sendable {
        case ok
        /// libcsv found quoting it cannot read: a quote inside an unquoted field, text after a closing quote.
        case badQuoting
        /// The record ended inside a quoted field.
        case unterminatedQuote
        /// More fields than `maxFields`; the extra ones were not kept.
        case tooManyFields
    }

    /// What the C callbacks write into: the arena and the field bounds. Visible to inlined
    /// code so that reading a field in another module is a load, not a call.
    @usableFromInline
    struct Fields {
        @usableFromInline var arena: UnsafeMutableRawPointer
        /// What `starts` and `ends` count from: the arena, or the record itself when it was
        /// split where it lies (`parsePlain`).
        @usableFromInline var base: UnsafeRawPointer
        var capacity: Int
        /// How much of the arena libcsv's callbacks have filled in the record being parsed.
        var used = 0
        @usableFromInline var starts: UnsafeMutablePointer<Int>
        @usableFromInline var ends: UnsafeMutablePointer<Int>
        @usableFromInline var maxFields: Int
        @usableFromInline var seen = 0
        var rows = 0
        /// Whether the last record held a NUL byte.
        var hasNUL = false

        init(arena: UnsafeMutableRawPointer, capacity: Int, starts: UnsafeMutablePointer<Int>, ends: UnsafeMutablePointer<Int>, maxFields: Int) {
            self.arena = arena
            self.base = UnsafeRawPointer(arena)
            self.capacity = capacity
            self.starts = starts
            self.ends = ends
            self.maxFields = maxFields
        }
    }

    private let parser: UnsafeMutablePointer<csv_parser>
    @usableFromInline let fields: UnsafeMutablePointer<Fields>
    private let delimiter: UInt8

    public init(delimiter: UInt8 = UInt8(ascii: ","), maxFields: Int = 512) {
        self.delimiter = delimiter
        parser = .allocate(capacity: 1)
        fields = .allocate(capacity: 1)
        fields.initialize(to: Fields(arena: .allocate(byteCount: 4096, alignment: 8), capacity: 4096,
                                     starts: .allocate(capacity: maxFields), ends: .allocate(capacity: maxFields), maxFields: maxFields))
        configure()
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
        fields.pointee.arena.deallocate()
        fields.pointee.starts.deallocate()
        fields.pointee.ends.deallocate()
        fields.deallocate()
    }

    private func configure() {
        csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(parser, delimiter)
        // libcsv trims spaces and tabs around unquoted fields. A tab is the delimiter of a
        // tab-separated file, so there only spaces are trimmed. (A custom function costs a
        // call per byte, so the default is kept where it is right.)
        if delimiter == 9 {
            csv_set_space_func(parser, { $0 == 0x20 ? 1 : 0 })
        } else if delimiter == UInt8(ascii: " ") {
            csv_set_space_func(parser, { $0 == 9 ? 1 : 0 })
        }
    }

    /// The record split by hand when it has no quote, CR or LF, which is almost every record
    /// of a bank export; nil otherwise, and libcsv parses it. For such a record libcsv's strict
    /// mode splits at each delimiter and trims spaces and tabs (the delimiter excepted) around
    /// each field, and a record of nothing but such spaces has no field at all: this does the
    /// same in one pass over a single copy of the record, instead of a C call per byte run and
    /// a callback per field, which was a quarter of the ingest's time (issue 7).
    @inline(__always)
    private func parseUnquoted(_ record: UnsafeRawBufferPointer) -> Outcome? {
        let n = record.count
        guard n > 0, let source = record.baseAddress else { return nil }
        let f = fields
        if n > f.pointee.capacity { growArena(to: n) }
        let arena = f.pointee.arena
        arena.copyMemory(from: source, byteCount: n)
        let bytes = UnsafeRawPointer(arena).assumingMemoryBound(to: UInt8.self)
        let delimiter = delimiter
        let maxFields = f.pointee.maxFields
        let starts = f.pointee.starts, ends = f.pointee.ends
        @inline(__always) func isSpace(_ c: UInt8) -> Bool { (c == 0x20 || c == 0x09) && c != delimiter }
        var seen = 0
        var start = 0
        var onlySpaces = true
        var zeros: UInt64 = 0
        /// Ends the field that runs from `start` to `end` (exclusive).
        @inline(__always) func endField(_ end: Int) {
            if seen < maxFields {
                var s = start, e = end
                while s < e && isSpace(bytes[s]) { s += 1 }
                while e > s && isSpace(bytes[e - 1]) { e -= 1 }
                if e > s { onlySpaces = false }
                starts[seen] = s
                ends[seen] = e
            }
            seen += 1
            start = end + 1
        }
        // Eight bytes at a time: a word with a quote, CR or LF sends the record to libcsv, and
        // the delimiters of a word are found from a mask of its bytes equal to the delimiter.
        let ones: UInt64 = 0x0101_0101_0101_0101, low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        /// High bit set in each byte of `x` that is zero, and only in those.
        @inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 { ~(((x & low7) &+ low7) | x | low7) }
        let delimiters = ones &* UInt64(delimiter)
        var i = 0
        while i + 8 <= n {
            let word = UInt64(littleEndian: UnsafeRawPointer(bytes).loadUnaligned(fromByteOffset: i, as: UInt64.self))
            if zeroBytes(word ^ (ones &* 0x22)) | zeroBytes(word ^ (ones &* 0x0D)) | zeroBytes(word ^ (ones &* 0x0A)) != 0 { return nil }
            zeros |= zeroBytes(word)
            var found = zeroBytes(word ^ delimiters)
            while found != 0 {
                endField(i + found.trailingZeroBitCount / 8)
                found &= found &- 1
            }
            i += 8
        }
        while i < n {
            let c = bytes[i]
            if c == delimiter { endField(i) } else if c == 0x22 || c == 0x0D || c == 0x0A { return nil }
            if c == 0 { zeros = 1 }
            i += 1
        }
        endField(n)
        // libcsv gives no field for a record of spaces without a delimiter.
        if seen == 1 && onlySpaces { seen = 0 }
        f.pointee.seen = seen
        f.pointee.hasNUL = zeros != 0
        f.pointee.base = UnsafeRawPointer(arena)
        return seen > maxFields ? .tooManyFields : .ok
    }

    /// The record split 16 bytes at a time when it holds no quote, CR, LF, NUL, space or tab
    /// (nothing to unquote or trim): its fields are then exactly the bytes between delimiters,
    /// and the byte-at-a-time trimming of `parseUnquoted` is not needed. Nil otherwise. Most
    /// rows of a bank's export take this path; the split had been a tenth of ingest's CPU.
    /// `inPlace`: the fields are left where the record lies instead of copied to the arena.
    @inline(__always)
    private func parsePlain(_ record: UnsafeRawBufferPointer, inPlace: Bool) -> Outcome? {
        let n = record.count
        guard n > 0, var source = record.baseAddress else { return nil }
        let f = fields
        if !inPlace {
            if n > f.pointee.capacity { growArena(to: n) }
            f.pointee.arena.copyMemory(from: source, byteCount: n)
            source = UnsafeRawPointer(f.pointee.arena)
        }
        let seen = CSysShims_splitPlainRecord(source.assumingMemoryBound(to: UInt8.self), n, delimiter,
                                              f.pointee.starts, f.pointee.ends, f.pointee.maxFields)
        guard seen >= 0 else { return nil }
        f.pointee.seen = seen
        f.pointee.hasNUL = false
        f.pointee.base = source
        return seen > f.pointee.maxFields ? .tooManyFields : .ok
    }

    private func growArena(to n: Int) {
        var capacity = fields.pointee.capacity * 2
        while capacity < n { capacity *= 2 }
        fields.pointee.arena.deallocate()
        fields.pointee.arena = .allocate(byteCount: capacity, alignment: 8)
        fields.pointee.capacity = capacity
    }

    /// How many fields the last record had (all of them, even past `maxFields`).
    @inlinable public var fieldCount: Int { fields.pointee.seen }

    /// Whether the last record held a NUL byte, anywhere (which a bank export never has:
    /// it marks a binary or UTF-16 file). Found during the split, not by a second pass.
    public var recordHasNUL: Bool { fields.pointee.hasNUL }

    /// Parses one record given without its line terminator.
    public func parse(_ record: UnsafeRawBufferPointer) -> Outcome {
        if let outcome = parsePlain(record, inPlace: false) { return outcome }
        if let outcome = parseUnquoted(record) { return outcome }
        return parseWithLibcsv(record)
    }

    /// Parses one record as `parse` does, but a record with nothing to unquote or trim is not
    /// copied: its fields point into `record`, so they may be read only while the record's
    /// memory is valid (and, as always, until the next parse). For ingest's transactions,
    /// where the copy of every row was a few percent of the CPU.
    public func parseInPlace(_ record: UnsafeRawBufferPointer) -> Outcome {
        if let outcome = parsePlain(record, inPlace: true) { return outcome }
        if let outcome = parseUnquoted(record) { return outcome }
        return parseWithLibcsv(record)
    }

    /// libcsv alone, for every record; tests compare `parse` with it.
    func parseWithLibcsv(_ record: UnsafeRawBufferPointer) -> Outcome {
        fields.pointee.used = 0
        fields.pointee.seen = 0
        fields.pointee.rows = 0
        fields.pointee.hasNUL = record.count > 0 && memchr(record.baseAddress!, 0, record.count) != nil
        let context = UnsafeMutableRawPointer(fields)
        let consumed = csv_parse(parser, record.baseAddress, record.count, onField, onRecord, context)
        defer { fields.pointee.base = UnsafeRawPointer(fields.pointee.arena) }
        var outcome = Outcome.ok
        if consumed != record.count { outcome = .badQuoting }
        if csv_fini(parser, onField, onRecord, context) != 0 {
            if outcome == .ok { outcome = csv_error(parser) == CSV_EPARSE ? .unterminatedQuote : .badQuoting }
        }
        if outcome != .ok {
            // After an error libcsv keeps its state until it is initialised again.
            csv_free(parser)
            configure()
            return outcome
        }
        if fields.pointee.rows > 1 { return .badQuoting }
        if fields.pointee.seen > fields.pointee.maxFields { return .tooManyFields }
        return .ok
    }

    /// The bytes of field `i` of the last record, valid until the next `parse`.
    @inlinable @inline(__always)
    public func field(_ i: Int) -> UnsafeRawBufferPointer {
        let f = fields
        assert(i >= 0 && i < min(f.pointee.seen, f.pointee.maxFields), "field \(i) of a record with \(f.pointee.seen) fields")
        let start = f.pointee.starts[i]
        return UnsafeRawBufferPointer(start: f.pointee.base + start, count: f.pointee.ends[i] - start)
    }

    /// The bytes of field `i`, to a closure.
    @inline(__always)
    public func withField<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(field(i))
    }

    /// Field `i` as a String; for headers and error messages, not the hot path.
    public func string(_ i: Int) -> String {
        String(decoding: field(i), as: UTF8.self)
    }
}

private func onField(_ pointer: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    let f = context!.assumingMemoryBound(to: CSVFieldParser.Fields.self)
    let k = f.pointee.seen
    f.pointee.seen = k + 1
    guard k < f.pointee.maxFields else { return }
    let start = f.pointee.used
    if length > 0, let pointer {
        if start + length > f.pointee.capacity {
            var capacity = f.pointee.capacity * 2
            while capacity < start + length { capacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
            grown.copyMemory(from: f.pointee.arena, byteCount: start)
            f.pointee.arena.deallocate()
            f.pointee.arena = grown
            f.pointee.capacity = capacity
        }
        (f.pointee.arena + start).copyMemory(from: pointer, byteCount: length)
    }
    f.pointee.starts[k] = start
    f.pointee.ends[k] = start + length
    f.pointee.used = start + length
}

private func onRecord(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    context!.assumingMemoryBound(to: CSVFieldParser.Fields.self).pointee.rows += 1
}
