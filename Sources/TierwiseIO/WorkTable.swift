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
        var head: [UInt8] = []
        let bytes = Array(name.utf8)
        append(UInt16(bytes.count), to: &head)
        head += bytes
        func raw<T>(_ type: UInt8, _ v: [T]) throws {
            head.append(type)
            append(UInt64(v.count), to: &head)
            try sink.write(head)
            try v.withUnsafeBytes { try sink.write($0) }
        }
        switch column {
        case .int8(let v): try raw(0, v)
        case .uint8(let v): try raw(1, v)
        case .int32(let v): try raw(2, v)
        case .int64(let v): try raw(3, v)
        case .double(let v): try raw(4, v)
        case .string(let v):
            head.append(5)
            append(UInt64(v.count), to: &head)
            try sink.write(head)
            var out: [UInt8] = []
            out.reserveCapacity(1 << 16)
            for var s in v {
                append(UInt32(s.utf8.count), to: &out)
                s.withUTF8 { out.append(contentsOf: $0) }
                if out.count >= 1 << 16 {
                    try sink.write(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            try sink.write(out)
        }
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
