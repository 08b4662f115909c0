import TierwiseIO

/// Which field of a record holds each contract column, read from the header row through the
/// pipeline's column mapping.
struct HeaderMap {
    /// Contract column → field index; absent columns are missing.
    private(set) var index: [String: Int] = [:]
    let fieldCount: Int
    /// The physical line of the header (blank lines may come before it).
    let line: Int

    /// Reads the header record; throws when a required column is missing, naming the
    /// expected header and the headers the file has.
    init(parser: CSVFieldParser, spec: InputSpec, columns: [String], required: [String], input: String, file: String, line: Int = 1) throws {
        fieldCount = parser.fieldCount
        self.line = line
        var headers: [String] = []
        for i in 0..<min(parser.fieldCount, 10_000) { headers.append(parser.string(i).trimmingSpacesAndBOM.escapingControls) }
        var positions: [String: Int] = [:]
        for (i, h) in headers.enumerated() {
            if let earlier = positions[h], columns.contains(where: { spec.header(for: $0) == h }) {
                // A column the pipeline reads appears twice: which one holds the data is a guess.
                throw PipelineError(.dataError, "\(file):\(line): the \(input) header has the column \"\(h)\" twice (fields \(earlier + 1) and \(i + 1)); fix the export or map another header name")
            }
            if positions[h] == nil { positions[h] = i }
        }
        for column in columns {
            if let i = positions[spec.header(for: column)] { index[column] = i }
        }
        for column in required where index[column] == nil {
            let wanted = spec.header(for: column)
            let shown = headers.prefix(20).joined(separator: ", ")
            throw PipelineError(.dataError, "\(file):\(line): the \(input) header has no column \"\(wanted)\"\(wanted == column ? "" : " (mapped from \(column))"); the header is: \(shown). Map it under [inputs.\(input).columns] in the pipeline file")
        }
    }

    subscript(column: String) -> Int? { index[column] }

    var presentColumns: [String] { index.keys.sorted() }
}

extension String {
    /// Control characters written as `\u{…}`, so a header with a NUL or an escape sequence
    /// cannot garble a log line.
    var escapingControls: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return self }
        return String(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())
    }

    var trimmingSpacesAndBOM: String {
        var s = Substring(self)
        if s.hasPrefix("\u{FEFF}") { s.removeFirst() }
        while let c = s.first, c == " " { s.removeFirst() }
        while let c = s.last, c == " " { s.removeLast() }
        return String(s)
    }
}
