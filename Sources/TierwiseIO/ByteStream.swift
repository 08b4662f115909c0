/// A source of bytes read front to back, such as a file or a decompressor over one.
///
/// Streams are read in blocks so that no input is ever held whole in memory.
public protocol ByteStream: AnyObject {
    /// Copies up to `buffer.count` bytes into `buffer` and returns how many; 0 means the end.
    /// Throws `IOError` when the bytes cannot be read or decoded.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteStream {
    /// Reads until `buffer` is full or the stream ends, and returns how many bytes came:
    /// decoders may return a little at a time, so one `read` fills no block.
    public func fill(_ buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if n == 0 { break }
            filled += n
        }
        return filled
    }
}

/// How an input file is compressed, decided from its first bytes and not its name,
/// because exports are often renamed (`.csv` that is really zstd, and the reverse).
public enum Compression: String, Sendable, CaseIterable {
    case none
    case zstd
    case gzip

    /// The compression whose magic bytes start `prefix`.
    /// zstd frames start `28 B5 2F FD`, skippable frames `5X 2A 4D 18`; gzip members start `1F 8B`.
    public static func sniff<C: Collection>(_ prefix: C) -> Compression where C.Element == UInt8 {
        let bytes = Array(prefix.prefix(4))
        if bytes.count >= 4 {
            if bytes == [0x28, 0xB5, 0x2F, 0xFD] { return .zstd }
            if bytes[0] & 0xF0 == 0x50 && bytes[1] == 0x2A && bytes[2] == 0x4D && bytes[3] == 0x18 { return .zstd }
        }
        if bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B { return .gzip }
        return .none
    }

    /// The compression a file name suggests, used only to warn when it disagrees with the bytes.
    public static func fromName(_ path: String) -> Compression {
        if path.hasSuffix(".zst") || path.hasSuffix(".zstd") { return .zstd }
        if path.hasSuffix(".gz") || path.hasSuffix(".gzip") { return .gzip }
        return .none
    }
}

/// A byte stream over a file, read with `read(2)` in the caller's block size.
///
/// It remembers the file's size and modification time when opened, so the caller can
/// detect a file that was rewritten while it was being read.
public final class FileStream: ByteStream {
    public let path: String
    private var fd: Int32
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    public private(set) var bytesRead: Int64 = 0
    public let sizeAtOpen: Int64
    private let modifiedAtOpen: Int64

    public init(path: String) throws {
        self.path = path
        if let st = SystemCalls.status(path), st.isDirectory {
            throw IOError(.cannotOpen, path: path, message: "is a folder, not a file", remedy: "Give a file or a glob such as dir/*.csv")
        }
        let fd = SystemCalls.openForReading(path)
        guard fd >= 0 else {
            let code = SystemCalls.lastErrno
            throw IOError(.cannotOpen, path: path, message: "cannot open the input", remedy: "Check the path and that this user may read it", errno: code)
        }
        self.fd = fd
        let st = SystemCalls.status(fd: fd)
        sizeAtOpen = st?.size ?? 0
        modifiedAtOpen = st?.modifiedNanoseconds ?? 0
    }

    deinit {
        if fd >= 0 { SystemCalls.close(fd) }
    }

    /// Reads the first bytes without consuming them, to sniff the compression.
    public func peek(_ count: Int) throws -> [UInt8] {
        if pending.count - pendingOffset < count {
            var block = [UInt8](repeating: 0, count: max(count, 4096))
            let n = try block.withUnsafeMutableBytes { try rawRead(into: $0) }
            pending = Array(pending[pendingOffset...]) + block[0..<n]
            pendingOffset = 0
        }
        return Array(pending[pendingOffset..<min(pending.count, pendingOffset + count)])
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pendingOffset < pending.count {
            let n = min(buffer.count, pending.count - pendingOffset)
            pending.withUnsafeBytes { src in
                buffer.baseAddress!.copyMemory(from: src.baseAddress! + pendingOffset, byteCount: n)
            }
            pendingOffset += n
            if pendingOffset == pending.count { pending = []; pendingOffset = 0 }
            return n
        }
        return try rawRead(into: buffer)
    }

    private func rawRead(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = SystemCalls.read(fd, into: buffer)
        guard n >= 0 else {
            throw IOError(.readFailed, path: path, message: "reading failed after \(bytesRead) bytes", errno: SystemCalls.lastErrno)
        }
        bytesRead += Int64(n)
        return n
    }

    /// Throws when the file's size or modification time differ from when it was opened:
    /// another process wrote to it while we read, so what we read may be neither version.
    public func checkUnchanged() throws {
        guard let st = SystemCalls.status(path) else {
            throw IOError(.readFailed, path: path, message: "the input disappeared while it was being read", remedy: "Run again once the export has finished")
        }
        if st.size != sizeAtOpen || st.modifiedNanoseconds != modifiedAtOpen {
            throw IOError(.readFailed, path: path,
                          message: "the input changed while it was being read (size \(sizeAtOpen) → \(st.size) bytes)",
                          remedy: "Another process is still writing it; run again once the export has finished")
        }
    }
}

/// An input file opened for reading, decompressed when its magic bytes say so.
public struct OpenedInput {
    public let path: String
    public let compression: Compression
    public let file: FileStream
    public let stream: ByteStream

    /// Opens `path`, sniffs its compression from the first bytes and wraps a decoder. With
    /// `decoders` above 1, a file in `pzstd`'s format is decoded that many frames at a time.
    public static func open(_ path: String, decoders: Int = 1) throws -> OpenedInput {
        let file = try FileStream(path: path)
        let prefix = try file.peek(8)
        let compression = Compression.sniff(prefix)
        let stream: ByteStream
        switch compression {
        case .none: stream = file
        case .zstd where decoders > 1 && PzstdDecoder.isPzstd(prefix):
            stream = PrefetchStream(PzstdDecoder(source: file, path: path, workers: decoders), sourceBytes: { file.bytesRead })
        case .zstd: stream = PrefetchStream(try ZstdDecoder(source: file, path: path), sourceBytes: { file.bytesRead })
        case .gzip: stream = PrefetchStream(try GzipDecoder(source: file, path: path), sourceBytes: { file.bytesRead })
        }
        return OpenedInput(path: path, compression: compression, file: file, stream: stream)
    }

    /// Bytes of the file consumed so far, for progress lines. A compressed file is read on the
    /// decoder's own thread, so its count comes from there.
    public var bytesRead: Int64 {
        (stream as? PrefetchStream)?.sourceBytesRead ?? file.bytesRead
    }
}
