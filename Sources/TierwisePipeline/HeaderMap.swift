import TierwiseIO

/// Which field of a record holds each contract column, read from the header row through the
/// pipeline's column mapping.
struct HeaderMap {
    /// Contract column → field index; absent columns are missing.
    private(set) var index: [String: Int] = [:]
    let fieldCount: Int

    /// Reads the header record; throws when a required column is missing, naming the
    /// expected header and the headers the file has.
    init(parser: CSVFieldParser, spec: InputSpec, columns: [String], required: [String], input: String, file: String) throws {
        fieldCount = parser.fieldCount
        var headers: [String] = []
        for i in 0..<min(parser.fieldCount, 10_000) { headers.append(parser.string(i).trimmingSpacesAndBOM) }
        var positions: [String: Int] = [:]
        for (i, h) in headers.enumerated() where positions[h] == nil { positions[h] = i }
        for column in columns {
            if let i = positions[spec.header(for: column)] { index[column] = i }
        }
        for column in required where index[column] == nil {
            let wanted = spec.header(for: column)
            let shown = headers.prefix(20).joined(separator: ", ")
            throw PipelineError(.dataError, "\(file):1: the \(input) header has no column \"\(wanted)\"\(wanted == column ? "" : " (mapped from \(column))"); the header is: \(shown). Map it under [inputs.\(input).columns] in the pipeline file")
        }
    }

    subscript(column: String) -> Int? { index[column] }

    var presentColumns: [String] { index.keys.sorted() }
}

extension String {
    var trimmingSpacesAndBOM: String {
        var s = Substring(self)
        if s.hasPrefix("\u{FEFF}") { s.removeFirst() }
        while let c = s.first, c == " " { s.removeFirst() }
        while let c = s.last, c == " " { s.removeLast() }
        return String(s)
    }
}
