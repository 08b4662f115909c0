/// A destination for bytes: a file, or a compressor in front of one.
public protocol ByteSink: AnyObject {
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes everything and makes it durable; the sink may not be written after this.
    func finish() throws
    /// Flushes everything; the sink is made durable by `sync` (a file) or at once.
    func finish(syncingOn sync: BackgroundSync) throws
}

extension ByteSink {
    public func finish(syncingOn sync: BackgroundSync) throws { try finish() }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }
}

/// A buffered file writer. Files are created with the configured mode (0640 by default,
/// so other users on a shared batch host cannot read customer lists) and synced on finish,
/// so a rename that follows publishes complete bytes.
public final class FileSink: ByteSink {
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16
    public private(set) var bytesWritten: Int64 = 0
    /// Where the file's write-back was last started (`startWriteback`).
    private var writebackStart: Int64 = 0
    /// How many written bytes start their way to disk at once.
    private static let writebackStep: Int64 = 8 << 20
    /// The stretch the last `reserve` left, and the bytes written into it since its write-back
    /// was last started: the sequential count above never sees them.
    private var reserved: Range<Int64> = 0..<0
    private var writtenInReserved: Int64 = 0

    public init(path: String, mode: UInt32 = 0o640, exclusive: Bool = false) throws {
        self.path = path
        let fd = SystemCalls.openForWriting(path, mode: mode, exclusive: exclusive)
        guard fd >= 0 else {
            throw IOError(.cannotWrite, path: path, message: "cannot create the output file", remedy: "Check that the folder exists and this user may write to it", errno: SystemCalls.lastErrno)
        }
        SystemCalls.chmod(path, mode: mode)
        self.fd = fd
        buffer.reserveCapacity(capacity)
    }

    deinit {
        if fd >= 0 { SystemCalls.close(fd) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        if buffer.count + bytes.count > capacity { try flush() }
        if bytes.count >= capacity {
            try writeThrough(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeThrough($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws {
        try FaultInjection.checkWrite(path: path, adding: bytes.count)
        if let code = SystemCalls.writeAll(fd, bytes) {
            throw IOError(.cannotWrite, path: path, message: "writing failed after \(bytesWritten) bytes", remedy: "Check free space on the output disk", errno: code)
        }
        bytesWritten += Int64(bytes.count)
        if bytesWritten - writebackStart >= Self.writebackStep { startWriteback() }
    }

    /// Has the kernel start writing what was written since the last call, without waiting.
    /// The kernel would otherwise start only at the fsync, or when a tenth of memory is
    /// dirty; the run's last fsyncs (the report's 150 MB, after ingest's and the features'
    /// 300 MB) then waited for the disk while no core had anything left to do.
    private func startWriteback() {
        SystemCalls.startWriteback(fd, from: writebackStart, count: bytesWritten - writebackStart)
        writebackStart = bytesWritten
    }

    /// Leaves the next `count` bytes of the file to `write(_:at:)` and goes on writing after
    /// them; returns where they start.
    public func reserve(_ count: Int) throws -> Int64 {
        try flush()
        let at = bytesWritten
        if let code = SystemCalls.seek(fd, to: at + Int64(count)) {
            throw IOError(.cannotWrite, path: path, message: "writing failed after \(bytesWritten) bytes", remedy: "Check free space on the output disk", errno: code)
        }
        bytesWritten += Int64(count)
        reserved = at..<bytesWritten
        writtenInReserved = 0
        return at
    }

    /// Writes `bytes` at `offset`, inside a stretch `reserve` left.
    ///
    /// Every `writebackStep` bytes, the write-back of the whole stretch is started: its
    /// columns are written a block at a time across it, so no prefix of it is ever complete.
    /// Ingest's two tables of records (57 and 46 MB on L) went to the disk only at the fsync
    /// before, and an RFM-only run then waited 0.2 s with both cores idle. A page written
    /// again after its write-back started (where two blocks meet) is written out twice.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        try FaultInjection.checkWrite(path: path, adding: bytes.count)
        if let code = SystemCalls.writeAll(fd, bytes, at: offset) {
            throw IOError(.cannotWrite, path: path, message: "writing failed at byte \(offset)", remedy: "Check free space on the output disk", errno: code)
        }
        writtenInReserved += Int64(bytes.count)
        if writtenInReserved >= Self.writebackStep {
            SystemCalls.startWriteback(fd, from: reserved.lowerBound, count: Int64(reserved.count))
            writtenInReserved = 0
        }
    }

    /// Flushes, then has `sync` make the file durable in the background (see `BackgroundSync`).
    public func finish(syncingOn sync: BackgroundSync) throws {
        try flush()
        sync.syncAndClose(fd, path: path)
        fd = -1
    }

    public func finish() throws {
        try flush()
        if let code = SystemCalls.fsync(fd) {
            throw IOError(.cannotWrite, path: path, message: "syncing the output to disk failed", errno: code)
        }
        SystemCalls.close(fd)
        fd = -1
    }
}

/// Writes through to an in-memory array; for tests and for small outputs that are hashed before writing.
public final class MemorySink: ByteSink {
    public private(set) var bytes: [UInt8] = []
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws { self.bytes.append(contentsOf: bytes) }
    public func finish() throws {}
}

/// A byte stream over an array in memory, for tests and for chunk-boundary checks.
public final class MemoryStream: ByteStream {
    private let bytes: [UInt8]
    private var offset = 0
    private let maxBlock: Int

    /// `maxBlock` limits how many bytes one read returns, to exercise buffer boundaries.
    public init(_ bytes: [UInt8], maxBlock: Int = .max) {
        self.bytes = bytes
        self.maxBlock = maxBlock
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - offset, maxBlock)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
