/// A stage's saved result in the work folder: named typed columns in one little-endian
/// binary file, so the next stage (or a rerun) loads it with a few memory copies instead of
/// parsing text.
///
/// Layout: "TWK1", then to the end of the file, per column: name length (u16), name, type
/// (u8), element count (u64), and the elements (strings as u32 lengths then bytes).
public struct WorkTable {
    public enum Column: Sendable, Equatable {
        case int8([Int8]), uint8([UInt8]), int32([Int32]), int64([Int64]), double([Double]), string([String])
    }

    public private(set) var names: [String] = []
    private var columns: [String: Column] = [:]
    /// When set, `put` writes each column to this file at once instead of keeping it, so
    /// saving a stage never holds a second copy of its whole result in memory.
    private var stream: FileSink?

    /// With `sync`, `finish()` leaves making the file durable to it.
    private var sync: BackgroundSync?

    /// A table that is written column by column to `path` as columns are put; call `finish()`.
    public init(streamingTo path: String, mode: UInt32 = 0o640, sync: BackgroundSync? = nil) throws {
        self.sync = sync
        stream = try FileSink(path: path, mode: mode)
        try stream!.write(Array("TWK1".utf8))
    }

    public mutating func put(_ name: String, _ column: Column) {
        if let stream {
            do {
                try WorkTable.write(name, column, to: stream)
            } catch {
                // `put` does not throw, so the first failure is kept for `finish()`.
                streamError = streamError ?? (error as? IOError) ?? IOError(.cannotWrite, path: stream.path, message: "writing a work table failed")
            }
            return
        }
        if columns[name] == nil { names.append(name) }
        columns[name] = column
    }

    private var streamError: IOError?

    /// Puts a column of `count` strings, the i-th from `string(i)`, as `put(name, .string(...))`
    /// of them would, without an array of them first: saving ingest's coded columns
    /// (managers, segments, branches) and its ids made an array of half a million strings
    /// each, most of the time of that save.
    public mutating func putStrings(_ name: String, count: Int, _ string: (Int) -> String) {
        guard let stream else {
            put(name, .string((0..<count).map(string)))
            return
        }
        do {
            try WorkTable.writeStrings(name, count: count, string, to: stream)
        } catch {
            streamError = streamError ?? (error as? IOError) ?? IOError(.cannotWrite, path: stream.path, message: "writing a work table failed")
        }
    }

    /// The element types of a fixed-width column, with their codes in the file.
    public enum FixedType: UInt8, Sendable {
        case int8 = 0, uint8 = 1, int32 = 2, int64 = 3, double = 4

        var width: Int {
            switch self {
            case .int8, .uint8: 1
            case .int32: 4
            case .int64, .double: 8
            }
        }
    }

    /// Puts fixed-width columns of `count` values each, as one `put` per column would, in
    /// this order. `fill` is called for one block of rows after another with a buffer per
    /// column, in the same order, to write those rows' values into (row `range.lowerBound` at
    /// the start of each).
    ///
    /// For a table of records (the accounts, the customers' activity) each record is then
    /// read once for all its columns, not once per column, and no column is ever whole in
    /// memory: each block goes straight to where its column lies in the file. Building ingest's
    /// columns one at a time read its 120 MB of records twenty times over.
    public mutating func putColumns(_ columns: [(name: String, type: FixedType)], count: Int,
                                    fill: (_ rows: Range<Int>, _ buffers: [UnsafeMutableRawPointer]) -> Void) {
        let block = 8192
        let buffers = columns.map { UnsafeMutableRawPointer.allocate(byteCount: block * $0.type.width, alignment: 8) }
        defer { buffers.forEach { $0.deallocate() } }
        guard let stream else {
            var whole = columns.map { [UInt8](repeating: 0, count: count * $0.type.width) }
            for lo in stride(from: 0, to: count, by: block) {
                let rows = lo..<min(count, lo + block)
                fill(rows, buffers)
                for k in columns.indices {
                    let w = columns[k].type.width
                    whole[k].withUnsafeMutableBytes { ($0.baseAddress! + rows.lowerBound * w).copyMemory(from: buffers[k], byteCount: rows.count * w) }
                }
            }
            for (k, c) in columns.enumerated() { put(c.name, WorkTable.column(c.type, whole[k], count: count)) }
            return
        }
        do {
            let heads = columns.map { WorkTable.head($0.name, $0.type.rawValue, count: count) }
            let total = zip(heads, columns).reduce(0) { $0 + $1.0.count + count * $1.1.type.width }
            var at = try stream.reserve(total)
            var starts: [Int64] = []
            for (k, head) in heads.enumerated() {
                try head.withUnsafeBytes { try stream.write($0, at: at) }
                starts.append(at + Int64(head.count))
                at += Int64(head.count + count * columns[k].type.width)
            }
            for lo in stride(from: 0, to: count, by: block) {
                let rows = lo..<min(count, lo + block)
                fill(rows, buffers)
                for k in columns.indices {
                    let w = columns[k].type.width
                    try stream.write(UnsafeRawBufferPointer(start: buffers[k], count: rows.count * w), at: starts[k] + Int64(rows.lowerBound * w))
                }
            }
        } catch {
            streamError = streamError ?? (error as? IOError) ?? IOError(.cannotWrite, path: stream.path, message: "writing a work table failed")
        }
    }

    /// The column of `type` whose values are the little-endian `bytes`.
    private static func column(_ type: FixedType, _ bytes: [UInt8], count: Int) -> Column {
        func values<T>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: count) { out, n in
                if count > 0 { bytes.withUnsafeBytes { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: $0.baseAddress!, byteCount: bytes.count) } }
                n = count
            }
        }
        switch type {
        case .int8: return .int8(values(Int8.self))
        case .uint8: return .uint8(bytes)
        case .int32: return .int32(values(Int32.self))
        case .int64: return .int64(values(Int64.self))
        case .double: return .double(values(Double.self))
        }
    }

    /// A column's head in the file: its name, its type's code and its element count.
    private static func head(_ name: String, _ type: UInt8, count: Int) -> [UInt8] {
        var head: [UInt8] = []
        let bytes = Array(name.utf8)
        append(UInt16(bytes.count), to: &head)
        head += bytes
        head.append(type)
        append(UInt64(count), to: &head)
        return head
    }

    /// Ends a streaming table: flushes and syncs the file, or hands the sync to `sync`.
    public mutating func finish() throws {
        if let streamError { throw streamError }
        if let sync { try stream?.finish(syncingOn: sync) } else { try stream?.finish() }
        stream = nil
    }

    public func column(_ name: String) -> Column? { columns[name] }

    public func int8(_ name: String) throws -> [Int8] { if case .int8(let v)? = columns[name] { return v }; throw missing(name) }
    public func uint8(_ name: String) throws -> [UInt8] { if case .uint8(let v)? = columns[name] { return v }; throw missing(name) }
    public func int32(_ name: String) throws -> [Int32] { if case .int32(let v)? = columns[name] { return v }; throw missing(name) }
    public func int64(_ name: String) throws -> [Int64] { if case .int64(let v)? = columns[name] { return v }; throw missing(name) }
    public func double(_ name: String) throws -> [Double] { if case .double(let v)? = columns[name] { return v }; throw missing(name) }
    public func string(_ name: String) throws -> [String] { if case .string(let v)? = columns[name] { return v }; throw missing(name) }

    private func missing(_ name: String) -> IOError {
        IOError(.malformedFile, path: "work table", message: "column \(name) is missing", remedy: "Run again with --force to rebuild the work folder")
    }

    /// Writes one column to `sink`. Fixed-width columns go from the array's own storage
    /// straight to the sink, which hands anything of 64 KB or more to `write(2)` without
    /// copying it, so saving a stage costs no second copy of its columns.
    private static func write(_ name: String, _ column: Column, to sink: FileSink) throws {
        func raw<T>(_ type: FixedType, _ v: [T]) throws {
            try sink.write(head(name, type.rawValue, count: v.count))
            try v.withUnsafeBytes { try sink.write($0) }
        }
        switch column {
        case .int8(let v): try raw(.int8, v)
        case .uint8(let v): try raw(.uint8, v)
        case .int32(let v): try raw(.int32, v)
        case .int64(let v): try raw(.int64, v)
        case .double(let v): try raw(.double, v)
        case .string(let v): try writeStrings(name, count: v.count, { v[$0] }, to: sink)
        }
    }

    /// Each string as its length (u32) and its UTF-8 bytes, gathered 64 KB at a time.
    private static func writeStrings(_ name: String, count: Int, _ string: (Int) -> String, to sink: FileSink) throws {
        try sink.write(head(name, 5, count: count))
        var out = ByteBuffer(capacity: (1 << 16) + (1 << 10))
        for i in 0..<count {
            var s = string(i)
            s.withUTF8 { bytes in
                var length = UInt32(bytes.count).littleEndian
                withUnsafeBytes(of: &length) { out.append($0) }
                out.append(UnsafeRawBufferPointer(bytes))
            }
            if out.count >= 1 << 16 {
                try sink.write(out.bytes)
                out.removeAll()
            }
        }
        try sink.write(out.bytes)
    }

    /// Reads a table column by column from `stream` (`size` bytes), straight into each
    /// column's array: the file is never held whole beside the columns it holds.
    public init(reading stream: ByteStream, size: Int, path: String) throws {
        var reader = Reader(stream: stream, size: size, path: path)
        guard size >= 8, try reader.bytes(4) == Array("TWK1".utf8) else {
            throw IOError(.malformedFile, path: path, message: "not a tierwise work file", remedy: "Run again with --force to rebuild the work folder")
        }
        while try !reader.atEnd() {
            let nameLength: UInt16 = try reader.scalar()
            let name = try reader.string(Int(nameLength))
            let type: UInt8 = try reader.scalar()
            switch type {
            case 0: put(name, .int8(try reader.array()))
            case 1: put(name, .uint8(try reader.array()))
            case 2: put(name, .int32(try reader.array()))
            case 3: put(name, .int64(try reader.array()))
            case 4: put(name, .double(try reader.array()))
            case 5:
                let n = try reader.count(elementBytes: 4)
                var strings: [String] = []
                strings.reserveCapacity(n)
                for _ in 0..<n {
                    let length: UInt32 = try reader.scalar()
                    strings.append(try reader.string(Int(length)))
                }
                put(name, .string(strings))
            default:
                throw IOError(.malformedFile, path: path, message: "unknown column type \(type)", remedy: "Run again with --force")
            }
        }
    }

    public static func read(_ path: String) throws -> WorkTable {
        let file = try FileStream(path: path)
        return try WorkTable(reading: file, size: Int(file.sizeAtOpen), path: path)
    }

    private static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    /// Reads a work file front to back through a small buffer; every count is checked
    /// against the bytes left, so a damaged file is an error, never a huge allocation.
    private struct Reader {
        let stream: ByteStream
        let path: String
        /// Bytes of the file not yet taken from the stream or the buffer.
        private var unread: Int
        private var buffer = [UInt8](repeating: 0, count: 1 << 16)
        private var start = 0
        private var end = 0

        init(stream: ByteStream, size: Int, path: String) {
            self.stream = stream
            self.path = path
            unread = size
        }

        private var truncated: IOError {
            IOError(.malformedFile, path: path, message: "the work file is truncated", remedy: "Run again with --force")
        }

        /// Bytes left, in the buffer and in the stream.
        private var left: Int { end - start + unread }

        mutating func atEnd() throws -> Bool { left == 0 }

        /// Fills `out` exactly: from the buffer first, then straight from the stream when
        /// the rest is larger than the buffer.
        mutating func read(into out: UnsafeMutableRawBufferPointer) throws {
            guard out.count <= left else { throw truncated }
            var done = 0
            while done < out.count {
                if start == end {
                    let rest = out.count - done
                    if rest >= buffer.count {
                        let n = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: out[done...]))
                        guard n > 0 else { throw truncated }
                        unread -= n
                        done += n
                        continue
                    }
                    try refill()
                }
                let n = min(end - start, out.count - done)
                buffer.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[done..<(done + n)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[start..<(start + n)])) }
                start += n
                done += n
            }
        }

        private mutating func refill() throws {
            let n = try buffer.withUnsafeMutableBytes { try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min($0.count, unread)])) }
            guard n > 0 else { throw truncated }
            unread -= n
            start = 0
            end = n
        }

        mutating func bytes(_ n: Int) throws -> [UInt8] {
            guard n >= 0, n <= left else { throw truncated }
            return try [UInt8](unsafeUninitializedCapacity: n) { out, count in
                try read(into: UnsafeMutableRawBufferPointer(out))
                count = n
            }
        }

        /// A string of `n` bytes, decoded in place when the buffer holds it.
        mutating func string(_ n: Int) throws -> String {
            if end - start >= n {
                defer { start += n }
                return buffer.withUnsafeBytes { String(decoding: $0[start..<(start + n)], as: UTF8.self) }
            }
            return String(decoding: try bytes(n), as: UTF8.self)
        }

        mutating func scalar<T: FixedWidthInteger>() throws -> T {
            var v: T = 0
            try withUnsafeMutableBytes(of: &v) { try read(into: $0) }
            return T(littleEndian: v)
        }

        /// An element count, which the bytes left must be able to hold.
        mutating func count(elementBytes: Int) throws -> Int {
            let n: UInt64 = try scalar()
            guard n <= UInt64(left / max(1, elementBytes)) else { throw truncated }
            return Int(n)
        }

        mutating func array<T>() throws -> [T] {
            let n = try count(elementBytes: MemoryLayout<T>.stride)
            return try [T](unsafeUninitializedCapacity: n) { out, count in
                try read(into: UnsafeMutableRawBufferPointer(out))
                count = n
            }
        }
    }
}
