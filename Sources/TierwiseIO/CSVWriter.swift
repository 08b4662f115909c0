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

    public init(sink: ByteSink, path: String, header: [String]) throws {
        self.sink = sink
        self.path = path
        for h in header { text(h) }
        try endRow(countsAsRow: false)
    }

    /// A text cell: quoted when it holds a delimiter, quote or newline; formula-escaped.
    public func text(_ value: String) {
        separator()
        var bytes = Array(value.utf8)
        if let c = bytes.first, c == UInt8(ascii: "=") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
            || c == UInt8(ascii: "@") || c == 0x09 || c == 0x0D {
            bytes.insert(UInt8(ascii: "'"), at: 0)
        }
        let needsQuotes = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if needsQuotes {
            line.append(UInt8(ascii: "\""))
            for c in bytes {
                if c == UInt8(ascii: "\"") { line.append(c) }
                line.append(c)
            }
            line.append(UInt8(ascii: "\""))
        } else {
            line.append(contentsOf: bytes)
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
        if line.count >= 1 << 16 { try flushLine() }
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
