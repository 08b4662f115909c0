import TierwiseAnalytics
import TierwiseIO

/// One file of an input dump, opened, with its header read: the rest is a stream of chunks
/// of whole records.
final class CSVInputFile {
    let input: String
    let path: String
    let opened: OpenedInput
    let chunker: RecordChunker
    let header: HeaderMap
    /// Records of the first chunk after the header, handed out by the first `next()`.
    private var firstChunk: RecordChunk?
    private var firstRecord = 1

    /// `decoders`: how many frames of a `pzstd` file are decoded at a time.
    init(input: String, path: String, spec: InputSpec, settings: RunSettings, columns: [String], required: [String], readBlock: Int = 1 << 16,
         decoders: Int = 1) throws {
        self.input = input
        self.path = path
        opened = try OpenedInput.open(path, decoders: decoders)
        let options = CSVOptions(delimiter: spec.delimiter, maxRecordBytes: settings.maxRecordBytes, maxFields: max(settings.maxFields, columns.count),
                                 readBlockBytes: readBlock)
        chunker = RecordChunker(stream: opened.stream, path: path, options: options)
        guard let first = try chunker.next(), first.count > 0 else {
            throw PipelineError(.dataError, "\(path): the file is empty: it has no header row. Expected a header with \(required.joined(separator: ", "))")
        }
        let parser = CSVFieldParser(delimiter: spec.delimiter, maxFields: 100_000)
        let outcome = first.withRecord(0) { parser.parse($0) }
        guard outcome == .ok else {
            throw PipelineError(.dataError, "\(path):\(first.lines[0]): the header row cannot be read (\(outcome)); expected a header with \(required.joined(separator: ", "))")
        }
        header = try HeaderMap(parser: parser, spec: spec, columns: columns, required: required, input: input, file: path, line: first.lines[0])
        if header.fieldCount > options.maxFields {
            throw PipelineError(.dataError, "\(path):\(first.lines[0]): the header has \(header.fieldCount) columns, more than limits.max_fields (\(options.maxFields)); every row would be rejected. Raise max_fields in the pipeline file")
        }
        firstChunk = first
    }

    /// Set when the file's name suggests another compression than its bytes have (a `.zst`
    /// export that was never compressed, or a plain name on a zstd file): the bytes decide,
    /// but a nightly job's log should say so, as the export step may have gone wrong.
    var nameMismatch: String? {
        let named = Compression.fromName(path)
        guard named != opened.compression else { return nil }
        return "\(path): the name suggests \(named.rawValue == "none" ? "no compression" : named.rawValue) but the file is \(opened.compression.rawValue == "none" ? "not compressed" : opened.compression.rawValue + "-compressed"); it is read as its bytes say"
    }

    /// About how many data records an uncompressed file holds, from its size and the first
    /// chunk's bytes per record; nil for a compressed file, whose size says little. Lets a
    /// reader size its tables once instead of growing them by copies. A first chunk of very
    /// short (broken) rows counts as 8 bytes a row, so the guess stays within reason.
    var expectedRecords: Int? {
        guard opened.compression == .none, let first = firstChunk, first.count > 1, first.bytes.count > 0 else { return nil }
        let bytesPerRecord = max(8, Double(first.bytes.count) / Double(first.count))
        return Int(Double(opened.file.sizeAtOpen) / bytesPerRecord)
    }

    /// The next chunk of data records; the header is skipped.
    func next() throws -> (chunk: RecordChunk, firstRecord: Int)? {
        if let c = firstChunk {
            firstChunk = nil
            if c.count > 1 { return (c, 1) }
        }
        guard let c = try chunker.next() else {
            try opened.file.checkUnchanged()
            return nil
        }
        return (c, 0)
    }

    var fileInfo: InputCounts.FileInfo {
        InputCounts.FileInfo(path: path, bytes: opened.file.sizeAtOpen, sha256: nil, compression: opened.compression.rawValue,
                             modified: FileSystem.sizeAndModified(path)?.modified ?? 0)
    }
}

/// Expands an input's paths and globs into files, failing with exit 66 when one is missing.
func expandInputPaths(_ spec: InputSpec, input: String) throws -> [String] {
    var files: [String] = []
    for pattern in spec.paths {
        let matched = FileSystem.expand(pattern)
        if matched.isEmpty || (matched.count == 1 && !FileSystem.exists(matched[0])) {
            throw PipelineError(.noInput, "\(pattern): the \(input) input does not exist (no file matches). Check [inputs.\(input)] paths in the pipeline file or the command-line flag")
        }
        files += matched
    }
    return files
}

/// Field access for one parsed record: empty fields read as absent.
struct RecordFields {
    let parser: CSVFieldParser

    @inline(__always)
    func with<R>(_ index: Int?, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        guard let index, index < parser.fieldCount else { return nil }
        let bytes = parser.field(index)
        return bytes.count == 0 ? nil : body(bytes)
    }

}

/// Label mapping for vocabularies: the bank's label first, then the contract name,
/// compared without ASCII case. Lookups compare bytes, so a row costs no String; labels of
/// up to 16 bytes (all of the contract's names) are compared packed, found in one place of
/// a small table (`PackedPlaces`): a type and a channel a row, going down a list of a dozen
/// labels each, were 4 % of an RFM-only run.
struct Vocabulary<Value> {
    private var keys: [[UInt8]] = []
    private var values: [Value] = []
    private var places = PackedPlaces()

    init(contract: [String: Value], labels: [String: String]) {
        func add(_ key: String, _ value: Value) {
            let k = Array(key.utf8).map(Vocabulary.lower)
            if !keys.contains(k) { keys.append(k); values.append(value) }
        }
        for (label, name) in labels.sorted(by: { $0.key < $1.key }) { if let v = contract[name] { add(label, v) } }
        for (k, v) in contract.sorted(by: { $0.key < $1.key }) { add(k, v) }
        places = PackedPlaces(keys.map { PackedBytes($0) })
    }

    @inline(__always)
    static func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }

    @inline(__always)
    func lookup(_ bytes: UnsafeRawBufferPointer) -> Value? {
        // A label of up to 16 bytes can only be one of the keys that short.
        if let p = PackedBytes(bytes, lowercasingASCII: true) {
            return places.index(of: p).map { values[$0] }
        }
        outer: for (k, key) in keys.enumerated() where key.count == bytes.count {
            for j in 0..<key.count where key[j] != Vocabulary.lower(bytes[j]) { continue outer }
            return values[k]
        }
        return nil
    }
}

/// A few packed keys, each in a place of its own in a table of a power of two places, so
/// that finding one is a multiply, a shift and one comparison. The multiplier is the first
/// of a fixed sequence that gives every key its own place (a perfect hash): the table starts
/// at four times the keys and doubles until one of 64 multipliers does. A vocabulary's
/// dozen labels take 64 places.
struct PackedPlaces {
    private var keys = [PackedBytes()]
    /// Per place: the key's index among those given, or −1.
    private var indexes: [Int32] = [-1]
    private var multiplier: UInt64 = 0
    /// 64 − log2(places): the top bits of the product pick the place (all 64 for one place).
    private var shift: UInt64 = 64

    init() {}

    /// `keys[i]` is found as `i`, the first `i` of a key given twice; nil keys (longer than
    /// 16 bytes) are never found.
    init(_ keys: [PackedBytes?]) {
        let given = keys.enumerated().compactMap { k, p in p.map { (k, $0) } }
        var size = 16
        while size < 4 * given.count { size <<= 1 }
        var candidate: UInt64 = 0x9E37_79B9_7F4A_7C15
        while true {
            for _ in 0..<64 {
                candidate = candidate &* 6364136223846793005 &+ 1442695040888963407
                let multiplier = candidate | 1, shift = UInt64(64 - size.trailingZeroBitCount)
                var indexes = [Int32](repeating: -1, count: size)
                var table = [PackedBytes](repeating: PackedBytes(), count: size)
                var clash = false
                for (k, p) in given {
                    let place = Self.place(p, multiplier, shift)
                    if indexes[place] >= 0 {
                        if table[place] == p { continue }
                        clash = true
                        break
                    }
                    indexes[place] = Int32(k)
                    table[place] = p
                }
                if !clash {
                    (self.keys, self.indexes, self.multiplier, self.shift) = (table, indexes, multiplier, shift)
                    return
                }
            }
            size <<= 1
        }
    }

    @inline(__always)
    private static func place(_ p: PackedBytes, _ multiplier: UInt64, _ shift: UInt64) -> Int {
        Int(truncatingIfNeeded: ((p.low ^ (p.high &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(p.count)) &* multiplier) >> shift)
    }

    /// The index `p` was given with, or nil.
    @inline(__always)
    func index(of p: PackedBytes) -> Int? {
        let place = Self.place(p, multiplier, shift)
        let k = indexes[place]
        return k >= 0 && keys[place] == p ? Int(k) : nil
    }
}

/// Conversion of amounts in other currencies, exact to the rate's eighth decimal place.
struct CurrencyTable {
    let reporting: [UInt8]
    private let reportingPacked: PackedBytes?
    private var rates: [[UInt8]: Int64] = [:]

    init(reporting: String, rates: [String: Double]) {
        self.reporting = Array(reporting.utf8)
        reportingPacked = PackedBytes(self.reporting)
        for (code, rate) in rates { self.rates[Array(code.utf8)] = Int64((rate * 100_000_000).rounded()) }
    }

    enum Outcome { case same, rate(Int64), unknown }

    @inline(__always)
    func lookup(_ code: UnsafeRawBufferPointer) -> Outcome {
        if let reportingPacked {
            if PackedBytes(code) == reportingPacked { return .same }
        } else if code.count == reporting.count && code.elementsEqual(reporting) {
            return .same
        }
        if let r = rates[Array(code)] { return .rate(r) }
        return .unknown
    }
}
