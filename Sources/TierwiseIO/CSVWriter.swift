/// Writes RFC 4180 CSV (UTF-8, LF, a header row) for people and downstream systems.
///
/// Text cells that a spreadsheet would run as a formula (starting `=`, `+`, `-`, `@`, tab or CR)
/// are prefixed with a single quote. Numbers are written by the caller through `number` so
/// they are never escaped. The writer counts rows and hashes every byte for the manifest.
public final class CSVWriter {
    private let sink: ByteSink
    private var line: [UInt8] = []
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
        for h in header { text(h) }
        try endRow(countsAsRow: false)
    }

    private init(fragmentOf path: String) {
        sink = MemorySink()
        self.path = path
        flushAt = Int.max
    }

    /// A writer of rows only, in memory, for a piece of a long file formatted on another
    /// thread: take the rows with `takeFragment()` and add them in order with `append(_:)`.
    public static func fragment() -> CSVWriter { CSVWriter(fragmentOf: "") }

    /// The rows written so far to a fragment, which starts again empty.
    public func takeFragment() -> CSVFragment {
        defer { line = []; rows = 0 }
        return CSVFragment(bytes: line, rows: rows)
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
        separator()
        var value = value
        value.withUTF8 { bytes in
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
                line.append(contentsOf: bytes)
            }
        }
    }

    /// A whole number.
    public func integer(_ value: Int64) {
        separator()
        appendDigits(value)
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
            line.append(contentsOf: String(value).utf8)
            return
        }
        let magnitude = UInt64(scaled)
        if value < 0 && magnitude > 0 { line.append(UInt8(ascii: "-")) }
        appendFixed(magnitude, places: places)
    }

    private static let powersOfTen: [Double] = (0...18).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    private func appendFixed(_ magnitude: UInt64, places: Int) {
        var p: UInt64 = 1
        for _ in 0..<places { p *= 10 }
        appendDigits(magnitude / p, minimumDigits: 1)
        guard places > 0 else { return }
        line.append(UInt8(ascii: "."))
        appendDigits(magnitude % p, minimumDigits: places)
    }

    private func appendDigits(_ value: Int64) {
        if value < 0 { line.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude, minimumDigits: 1)
    }

    /// The decimal digits of `value`, with leading zeros up to `minimumDigits`. Formatted in
    /// a buffer on the stack and appended in one piece: an array per cell, or an append per
    /// digit (a uniqueness and a capacity check each), cost more than the digits.
    private func appendDigits(_ value: UInt64, minimumDigits: Int) {
        var v = value
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buffer) { raw in
            var i = raw.count
            while v > 0 || raw.count - i < minimumDigits {
                i -= 1
                raw[i] = UInt8(48 + v % 10)
                v /= 10
            }
            line.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[i...]))
        }
    }

    /// A cell already formatted as a number (digits, sign, point); written as is.
    public func number(_ formatted: String) {
        separator()
        line.append(contentsOf: formatted.utf8)
    }

    /// An empty cell: the value is unknown or does not apply.
    public func empty() { separator() }

    private func separator() {
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
        try line.withUnsafeBytes { raw in
            hasher.update(raw)
            try sink.write(raw)
        }
        line.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and returns the file's SHA-256.
    public func finish() throws -> String {
        try flushLine()
        try sink.finish()
        return hasher.finalize()
    }
}

/// Rows formatted by a fragment writer, ready to be added to a file's writer.
public struct CSVFragment: Sendable {
    public let bytes: [UInt8]
    public let rows: Int
}
