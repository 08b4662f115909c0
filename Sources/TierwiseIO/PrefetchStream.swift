import Foundation

/// Reads another stream ahead on its own thread, so that decompression runs on one core
/// while the caller cuts and parses records on the others. Without it a zstd input costs its
/// whole decompression time on the thread that also scans for record boundaries.
///
/// At most `depth` blocks are read ahead, so memory stays bounded. An error of the inner
/// stream is thrown by the `read` that reaches it, after every byte before it.
public final class PrefetchStream: ByteStream {
    /// The state shared with the reading thread, guarded by `condition`.
    private final class Board: @unchecked Sendable {
        let condition = NSCondition()
        var blocks: [[UInt8]] = []
        var finished = false
        var error: Error?
        var stop = false
        var sourceBytes: Int64 = 0
    }

    private let board = Board()
    private var current: [UInt8] = []
    private var offset = 0

    /// `sourceBytes` says how many bytes of the file the inner stream has consumed; it is
    /// called on the reading thread, and its latest value is `sourceBytesRead`.
    public init(_ inner: ByteStream, blockBytes: Int = 1 << 20, depth: Int = 4, sourceBytes: @escaping () -> Int64) {
        let board = board
        let reader = Thread {
            while true {
                // Each block is filled where it is handed over, not filled and then copied:
                // on L's zstd transactions that copy was 740 MB on the decoding thread.
                var n = 0
                let block: [UInt8]
                do {
                    block = try [UInt8](unsafeUninitializedCapacity: blockBytes) { buffer, count in
                        n = try inner.fill(UnsafeMutableRawBufferPointer(buffer))
                        count = n
                    }
                } catch {
                    board.condition.lock()
                    board.error = error
                    board.finished = true
                    board.condition.broadcast()
                    board.condition.unlock()
                    return
                }
                let read = sourceBytes()
                board.condition.lock()
                while !board.stop && board.blocks.count >= depth { board.condition.wait() }
                if board.stop { board.condition.unlock(); return }
                board.sourceBytes = read
                if n > 0 { board.blocks.append(block) }
                if n < blockBytes { board.finished = true }
                board.condition.broadcast()
                board.condition.unlock()
                if n < blockBytes { return }
            }
        }
        reader.stackSize = 1 << 20
        reader.start()
    }

    deinit {
        board.condition.lock()
        board.stop = true
        board.condition.broadcast()
        board.condition.unlock()
    }

    /// Bytes of the underlying file consumed so far by the reading thread, for progress lines.
    public var sourceBytesRead: Int64 {
        board.condition.lock()
        defer { board.condition.unlock() }
        return board.sourceBytes
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if offset == current.count {
            board.condition.lock()
            while board.blocks.isEmpty && !board.finished { board.condition.wait() }
            if board.blocks.isEmpty {
                let error = board.error
                board.condition.unlock()
                if let error { throw error }
                return 0
            }
            current = board.blocks.removeFirst()
            offset = 0
            board.condition.broadcast()
            board.condition.unlock()
        }
        let n = min(buffer.count, current.count - offset)
        current.withUnsafeBytes { src in buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}
