import CCSV

/// Splits one CSV record into unescaped fields with libcsv in strict mode.
///
/// The record's bytes come from `RecordChunker`, which already knows where records end;
/// libcsv then does the RFC 4180 unquoting. Fields are copied into one reused arena, so
/// parsing a record allocates nothing once the arena has grown to the longest record.
/// A final class because libcsv's parser keeps a heap buffer that is freed in `deinit`.
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

    private let parser: UnsafeMutablePointer<csv_parser>
    private let maxFields: Int
    private let delimiter: UInt8
    fileprivate var arena: [UInt8] = []
    fileprivate var fieldStarts: [Int] = []
    fileprivate var fieldEnds: [Int] = []
    fileprivate var fieldsSeen = 0
    fileprivate var rowsSeen = 0

    public init(delimiter: UInt8 = UInt8(ascii: ","), maxFields: Int = 512) {
        self.maxFields = maxFields
        self.delimiter = delimiter
        parser = .allocate(capacity: 1)
        configure()
        arena.reserveCapacity(1024)
        fieldStarts.reserveCapacity(64)
        fieldEnds.reserveCapacity(64)
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
    }

    private func configure() {
        csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI))
        csv_set_delim(parser, delimiter)
        // Trim only spaces around unquoted fields, never the delimiter (tab-separated files).
        if delimiter == UInt8(ascii: " ") {
            csv_set_space_func(parser, { _ in 0 })
        } else {
            csv_set_space_func(parser, { $0 == 0x20 ? 1 : 0 })
        }
    }

    /// How many fields the last record had (all of them, even past `maxFields`).
    public var fieldCount: Int { fieldsSeen }

    /// Parses one record given without its line terminator.
    public func parse(_ record: UnsafeRawBufferPointer) -> Outcome {
        arena.removeAll(keepingCapacity: true)
        fieldStarts.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        fieldsSeen = 0
        rowsSeen = 0
        let context = Unmanaged.passUnretained(self).toOpaque()
        let consumed = csv_parse(parser, record.baseAddress, record.count, onField, onRecord, context)
        var outcome = Outcome.ok
        if consumed != record.count {
            outcome = .badQuoting
        }
        if csv_fini(parser, onField, onRecord, context) != 0 {
            if outcome == .ok { outcome = csv_error(parser) == CSV_EPARSE ? .unterminatedQuote : .badQuoting }
        }
        if outcome != .ok {
            // Reset the parser: after an error libcsv keeps its state until re-initialised.
            csv_free(parser)
            configure()
            return outcome
        }
        if rowsSeen > 1 { return .badQuoting }
        if fieldsSeen > maxFields { return .tooManyFields }
        return .ok
    }

    /// The bytes of field `i` of the last record, valid until the next `parse`.
    @inline(__always)
    public func withField<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try arena.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[fieldStarts[i]..<fieldEnds[i]])) }
    }

    /// Field `i` as a String; for headers and error messages, not the hot path.
    public func string(_ i: Int) -> String {
        withField(i) { String(decoding: $0, as: UTF8.self) }
    }

    fileprivate func append(_ pointer: UnsafeMutableRawPointer?, _ length: Int) {
        fieldsSeen += 1
        guard fieldsSeen <= maxFields else { return }
        let start = arena.count
        if let pointer, length > 0 {
            arena.append(contentsOf: UnsafeRawBufferPointer(start: pointer, count: length))
        }
        fieldStarts.append(start)
        fieldEnds.append(arena.count)
    }
}

private func onField(_ pointer: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    Unmanaged<CSVFieldParser>.fromOpaque(context!).takeUnretainedValue().append(pointer, length)
}

private func onRecord(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    Unmanaged<CSVFieldParser>.fromOpaque(context!).takeUnretainedValue().rowsSeen += 1
}
