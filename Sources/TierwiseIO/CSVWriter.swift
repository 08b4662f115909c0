/// Writes RFC 4180 CSV (UTF-8, LF, a header row) for people and downstream systems.
///
/// Text cells that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or CR)
/// are prefixed with a single quote. Numbers are written by the caller through `number` so
/// they are never escaped. The writer counts rows and hashes every byte for the manifest.
public final class CSVWriter {
    private let sink: ByteSink
    /// The bytes not yet given to the sink.
    private var line: ByteBuffer
    private var first = true
    private var hasher = SHA256()
    public private(set) var rows = 0
    public let path: String

    /// Bytes kept before they go to the sink; a fragment keeps all of them.
    private let flushAt: Int

    public init(sink: ByteSink, path: String, header: [String]) throws {
        self.sink = sink
        self.path = path
        flushAt = 1 << 16
        line = ByteBuffer(capacity: flushAt + 4_096)
        for h in header { text(h) }
        try endRow(countsAsRow: false)
    }

    private init(fragmentOf path: String, capacity: Int) {
        sink = MemorySink()
        self.path = path
        flushAt = Int.max
        line = ByteBuffer(capacity: capacity)
    }

    /// A writer of rows only, in memory, for a piece of a long file formatted on another
    /// thread: take the rows with `takeFragment()` and add them in order with `append(_:)`.
    /// `capacity` is the bytes the piece is expected to take, so its buffer need not grow.
    public static func fragment(capacity: Int = 1 << 16) -> CSVWriter { CSVWriter(fragmentOf: "", capacity: capacity) }

    /// The rows written so far to a fragment, which starts again empty. The rows' buffer is
    /// handed over, not copied.
    public func takeFragment() -> CSVFragment {
        var taken = ByteBuffer(capacity: 16)
        swap(&taken, &line)
        defer { rows = 0 }
        return CSVFragment(storage: CSVFragment.Storage(taken), rows: rows)
    }

    /// Adds a fragment's rows after the rows written so far (between rows, not inside one).
    public func append(_ fragment: CSVFragment) throws {
        precondition(first, "a fragment can only be added between rows")
        try flushLine()
        let bytes = fragment.bytes
        hasher.update(bytes)
        try sink.write(bytes)
        rows += fragment.rows
    }

    /// A text cell: quoted when it holds a delimiter, quote or newline; formula-escaped.
    public func text(_ value: String) {
        var value = value
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    private func text(_ bytes: UnsafeRawBufferPointer) {
        separator()
        CSVWriter.escape(bytes, into: &line)
    }

    /// Cell `k` of `cells`, escaped already: a copy of its bytes, with no `String` touched.
    /// For the columns with few distinct values (tiers, managers, flags), whose shared
    /// strings two threads formatting rows would otherwise retain and release on every row.
    public func text(_ cells: CSVTextCells, _ k: Int) {
        separator()
        cells.bytes.withUnsafeBytes { all in line.append(UnsafeRawBufferPointer(rebasing: all[cells.offsets[k]..<cells.offsets[k + 1]])) }
    }

    /// Appends `bytes` as a text cell's content: quoted when it holds a delimiter, quote or
    /// newline, and prefixed with a single quote when a spreadsheet would run it as a formula.
    static func escape(_ bytes: UnsafeRawBufferPointer, into line: inout ByteBuffer) {
        let needsQuotes = needsQuoting(bytes)
        if needsQuotes { line.append(UInt8(ascii: "\"")) }
        if let c = bytes.first, c == UInt8(ascii: "=") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "@") || c == 0x09 || c == 0x0D {
            line.append(UInt8(ascii: "'"))
        }
        if needsQuotes {
            for c in bytes {
                if c == UInt8(ascii: "\"") { line.append(c) }
                line.append(c)
            }
            line.append(UInt8(ascii: "\""))
        } else {
            line.append(bytes)
        }
    }

    /// Whether `bytes` hold a comma, a quote, LF or CR: eight bytes at a time, as a text
    /// cell's byte-by-byte scan was a seventh of customers.csv's formatting.
    @inline(__always)
    static func needsQuoting(_ bytes: UnsafeRawBufferPointer) -> Bool {
        @inline(__always) func holds(_ word: UInt64, _ byte: UInt8) -> Bool {
            // A zero byte in word XOR the byte repeated: exact, for the word as a whole.
            let x = word ^ (0x0101_0101_0101_0101 &* UInt64(byte))
            return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
        }
        var i = 0
        while i + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if holds(word, UInt8(ascii: ",")) || holds(word, UInt8(ascii: "\"")) || holds(word, 0x0A) || holds(word, 0x0D) { return true }
            i += 8
        }
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 0x0A || c == 0x0D { return true }
            i += 1
        }
        return false
    }

    /// A whole number.
    public func integer(_ value: Int64) {
        separator()
        if value < 0 { line.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumDigits: 1)
    }

    /// A fixed-point integer with `scaleDigits` implied decimals (money: 4), printed with
    /// `places` decimals, rounding half away from zero: `decimal(-12_345, scaleDigits: 4, places: 2)` is `-1.23`.
    public func decimal(_ units: Int64, scaleDigits: Int = 4, places: Int = 2) {
        separator()
        var divisor: UInt64 = 1
        for _ in places..<scaleDigits { divisor *= 10 }
        var magnitude = units.magnitude
        let rem = magnitude % divisor
        magnitude /= divisor
        if divisor > 1 && rem * 2 >= divisor { magnitude += 1 }
        if units < 0 && magnitude > 0 { line.append(UInt8(ascii: "-")) }
        appendFixed(magnitude, places: places)
    }

    /// A Double with `places` decimals, rounding half away from zero; empty when not finite.
    /// Written digit by digit: `String(format:)` costs a microsecond a cell.
    public func fixed(_ value: Double, places: Int) {
        separator()
        guard value.isFinite else { return }
        let scaled = (value.magnitude * CSVWriter.powersOfTen[places]).rounded()
        guard scaled < 9.0e18 else {
            var text = String(value)
            text.withUTF8 { line.append(UnsafeRawBufferPointer($0)) }
            return
        }
        let magnitude = UInt64(scaled)
        if value < 0 && magnitude > 0 { line.append(UInt8(ascii: "-")) }
        appendFixed(magnitude, places: places)
    }

    private static let powersOfTen: [Double] = (0...18).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    /// `magnitude` / 10^places with its decimals. The usual places get a constant divisor,
    /// which compiles to a multiply: a division by a variable was a sixth of customers.csv's
    /// formatting.
    private func appendFixed(_ magnitude: UInt64, places: Int) {
        switch places {
        case 2: appendFixed(magnitude, divisor: 100, places: 2)
        case 4: appendFixed(magnitude, divisor: 10_000, places: 4)
        case 6: appendFixed(magnitude, divisor: 1_000_000, places: 6)
        default:
            var p: UInt64 = 1
            for _ in 0..<places { p *= 10 }
            appendFixed(magnitude, divisor: p, places: places)
        }
    }

    @inline(__always) private func appendFixed(_ magnitude: UInt64, divisor: UInt64, places: Int) {
        appendDigits(magnitude / divisor, minimumDigits: 1)
        guard places > 0 else { return }
        line.append(UInt8(ascii: "."))
        appendDigits(magnitude % divisor, minimumDigits: places)
    }

    /// The decimal digits of `value`, with leading zeros up to `minimumDigits`, written from
    /// the last digit back, two at a time from a table, once their number is known.
    @inline(__always) private func appendDigits(_ value: UInt64, minimumDigits: Int) {
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && value >= bound {
            digits += 1
            bound = bound &* 10
        }
        digits = max(digits, minimumDigits)
        line.append(count: digits) { at in
            let pairs = CSVWriter.digitPairs.utf8Start
            var v = value
            var i = digits
            while i >= 2 {
                let pair = Int(v % 100) * 2
                v /= 100
                at[i - 1] = pairs[pair + 1]
                at[i - 2] = pairs[pair]
                i -= 2
            }
            if i == 1 { at[0] = UInt8(truncatingIfNeeded: 48 &+ v % 10) }
        }
    }

    /// "00", "01", … "99": the two digits of each number below 100. A literal, so reading it
    /// needs no lazy initialisation (a table built at first use was a `swift_once` per number).
    private static var digitPairs: StaticString {
        """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
    }

    /// A cell already formatted as a number (digits, sign, point); written as is.
    public func number(_ formatted: String) {
        separator()
        var formatted = formatted
        formatted.withUTF8 { line.append(UnsafeRawBufferPointer($0)) }
    }

    /// An empty cell: the value is unknown or does not apply.
    public func empty() { separator() }

    @inline(__always) private func separator() {
        if !first { line.append(UInt8(ascii: ",")) }
        first = false
    }

    public func endRow() throws { try endRow(countsAsRow: true) }

    private func endRow(countsAsRow: Bool) throws {
        line.append(0x0A)
        if line.count >= flushAt { try flushLine() }
        first = true
        if countsAsRow { rows += 1 }
    }

    private func flushLine() throws {
        hasher.update(line.bytes)
        try sink.write(line.bytes)
        line.removeAll()
    }

    /// Flushes, syncs and returns the file's SHA-256.
    public func finish() throws -> String {
        try flushLine()
        try sink.finish()
        return hasher.finalize()
    }

    /// Flushes, has `sync` make the file durable in the background, and returns its SHA-256.
    public func finish(syncingOn sync: BackgroundSync) throws -> String {
        try flushLine()
        try sink.finish(syncingOn: sync)
        return hasher.finalize()
    }
}

/// Rows formatted by a fragment writer, ready to be added to a file's writer.
public struct CSVFragment: @unchecked Sendable {
    /// The fragment writer's buffer, owned from `takeFragment()` on and never changed.
    final class Storage {
        let buffer: ByteBuffer
        init(_ buffer: consuming ByteBuffer) { self.buffer = buffer }
    }

    let storage: Storage
    public let rows: Int

    /// The rows' bytes, valid while the fragment lives.
    public var bytes: UnsafeRawBufferPointer { storage.buffer.bytes }
}

/// Text cells escaped once, for a column with few distinct values: `CSVWriter.text(_:_:)`
/// copies cell k's bytes. The cells lie one after another in one array.
public struct CSVTextCells: Sendable {
    fileprivate let bytes: [UInt8]
    /// Cell k is `bytes[offsets[k]..<offsets[k + 1]]`.
    fileprivate let offsets: [Int]

    /// The cells of `values`, escaped as `CSVWriter.text` escapes a value.
    public init(_ values: [String]) {
        var buffer = ByteBuffer(capacity: 64)
        var offsets = [0]
        offsets.reserveCapacity(values.count + 1)
        for value in values {
            var value = value
            value.withUTF8 { CSVWriter.escape(UnsafeRawBufferPointer($0), into: &buffer) }
            offsets.append(buffer.count)
        }
        bytes = Array(buffer.bytes)
        self.offsets = offsets
    }

    public var count: Int { offsets.count - 1 }
}
