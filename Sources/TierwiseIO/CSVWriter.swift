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

    private init(fragmentOf path: String) {
        sink = MemorySink()
        self.path = path
        flushAt = Int.max
        line = ByteBuffer(capacity: 1 << 16)
    }

    /// A writer of rows only, in memory, for a piece of a long file formatted on another
    /// thread: take the rows with `takeFragment()` and add them in order with `append(_:)`.
    public static func fragment() -> CSVWriter { CSVWriter(fragmentOf: "") }

    /// The rows written so far to a fragment, which starts again empty.
    public func takeFragment() -> CSVFragment {
        defer { line.removeAll(); rows = 0 }
        return CSVFragment(bytes: Array(line.bytes), rows: rows)
    }

    /// Adds a fragment's rows after the rows written so far (between rows, not inside one).
    public func append(_ fragment: CSVFragment) throws {
        precondition(first, "a fragment can only be added between rows")
        try flushLine()
        try fragment.bytes.withUnsafeBytes { raw in
            hasher.update(raw)
            try sink.write(raw)
        }
        rows += fragment.rows
    }

    /// A text cell: quoted when it holds a delimiter, quote or newline; formula-escaped.
    public func text(_ value: String) {
        var value = value
        value.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    private func text(_ bytes: UnsafeRawBufferPointer) {
        separator()
        var needsQuotes = false
        for c in bytes where c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 0x0A || c == 0x0D {
            needsQuotes = true
            break
        }
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
    /// the last digit back once their number is known.
    @inline(__always) private func appendDigits(_ value: UInt64, minimumDigits: Int) {
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20 && value >= bound {
            digits += 1
            bound = bound &* 10
        }
        digits = max(digits, minimumDigits)
        line.append(count: digits) { at in
            var v = value
            for i in stride(from: digits - 1, through: 0, by: -1) {
                at[i] = UInt8(truncatingIfNeeded: 48 &+ v % 10)
                v /= 10
            }
        }
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
public struct CSVFragment: Sendable {
    public let bytes: [UInt8]
    public let rows: Int
}
