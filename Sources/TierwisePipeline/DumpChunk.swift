import Foundation
import TierwiseIO

/// One chunk of an optional dump (customers, accounts), parsed by a worker: for each record
/// either the structural problem that rejects it or its fields, copied out of the parser,
/// and what the worker made of them (`Checked`: the row's own fields checked and converted).
/// The rules that need the whole dump so far (duplicates, interning) then run on one thread
/// in file order, without parsing.
struct DumpChunk<Checked> {
    var chunk: RecordChunk
    var first: Int
    /// Per record from `first`: why it is rejected before any rule looks at it, or nil.
    var problems: [(RejectReason, String)?] = []
    /// Per record from `first`: the worker's check of a sound record's own fields.
    var checked: [Checked?] = []
    /// The fields of sound records, back to back; record k's fields end at
    /// `fieldEnds[k × fieldCount ..< (k + 1) × fieldCount]` (all zero-width for a rejected record).
    var bytes: [UInt8] = []
    var fieldEnds: [Int32] = []
    let fieldCount: Int

    /// Calls `body` with a function giving the fields of record `r` of the chunk; the fields
    /// point into this chunk, so they are only valid inside `body`.
    func withFields<R>(_ body: ((Int) -> DumpFields) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { bytes in
            try fieldEnds.withUnsafeBufferPointer { ends in
                try body { r in DumpFields(bytes: bytes, ends: ends, first: (r - first) * fieldCount, count: fieldCount) }
            }
        }
    }
}

/// Field access for one record of a `DumpChunk`, with `RecordFields`' rules: an empty field
/// reads as absent. Plain pointers, so handing a row to the rules costs no reference counting.
struct DumpFields {
    let bytes: UnsafeRawBufferPointer
    let ends: UnsafeBufferPointer<Int32>
    /// Index in `ends` of this record's first field.
    let first: Int
    let count: Int

    @inline(__always)
    func with<R>(_ index: Int?, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard let index, index < count else { return nil }
        let k = first + index
        let end = Int(ends[k])
        let start = k == 0 ? 0 : Int(ends[k - 1])
        guard end > start else { return nil }
        return body(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    func string(_ index: Int?) -> String? { with(index) { String(decoding: $0, as: UTF8.self) } }

    /// The field's bytes, nil when empty; valid as long as the fields are (see `DumpChunk.withFields`).
    @inline(__always)
    func bytes(_ index: Int?) -> UnsafeRawBufferPointer? { with(index) { $0 } }
}

/// Parses dump chunks and checks each sound record's own fields with `check`; one per worker
/// thread, as it owns a libcsv parser. `check` must only read what does not change while the
/// dump is read, since workers run it at the same time.
final class DumpParser<Checked> {
    private let parser: CSVFieldParser
    private let fields: RecordFields
    private let header: HeaderMap
    private let check: (DumpFields) -> Checked

    init(header: HeaderMap, delimiter: UInt8, maxFields: Int, check: @escaping (DumpFields) -> Checked) {
        self.header = header
        self.check = check
        parser = CSVFieldParser(delimiter: delimiter, maxFields: maxFields)
        fields = RecordFields(parser: parser)
    }

    func parse(_ chunk: RecordChunk, from first: Int) -> DumpChunk<Checked> {
        let fc = header.fieldCount
        var out = DumpChunk<Checked>(chunk: chunk, first: first, fieldCount: fc)
        // The fields are copied into buffers sized up front (a record's fields are never
        // longer than its bytes), not appended field by field: an append per field, with its
        // uniqueness and capacity checks, cost more than the copy.
        var problems: [(RejectReason, String)?] = []
        problems.reserveCapacity(chunk.count - first)
        var used = 0
        out.fieldEnds = [Int32](unsafeUninitializedCapacity: (chunk.count - first) * fc) { ends, endCount in
            out.bytes = [UInt8](unsafeUninitializedCapacity: chunk.bytes.count) { bytes, byteCount in
                var e = 0
                for r in first..<chunk.count {
                    let problem = structural(chunk, r, parser, fields, header: header)
                    problems.append(problem)
                    for i in 0..<fc {
                        if problem == nil {
                            let field = parser.field(i)
                            if field.count > 0 { UnsafeMutableRawPointer(bytes.baseAddress! + used).copyMemory(from: field.baseAddress!, byteCount: field.count) }
                            used += field.count
                        }
                        ends[e] = Int32(used)
                        e += 1
                    }
                }
                byteCount = used
            }
            endCount = (chunk.count - first) * fc
        }
        out.problems = problems
        out.checked = out.withFields { fields in (first..<chunk.count).map { r in out.problems[r - first] == nil ? check(fields(r)) : nil } }
        return out
    }
}
