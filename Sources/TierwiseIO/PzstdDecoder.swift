import Dispatch

/// Decompresses a file in `pzstd`'s format on several threads: `pzstd` cuts the input into
/// independent zstd frames and puts before each a skippable frame that gives its compressed
/// size, so the frames can be read off the file one after another and decoded at the same
/// time. One thread decodes a zstd stream at about 740 MB/s here, which caps ingest on a
/// machine with more cores than that feeds (see `Ingest.zstdDecoders`).
///
/// Frames are handed out in file order. At most `workers` frames are in flight, so memory
/// stays a few frames (a `pzstd` frame is a few MB). When a frame comes without the size
/// header (a plain zstd file appended to a `pzstd` one), the rest of the file is decoded in
/// order on the calling thread, after the frames before it.
public final class PzstdDecoder: ByteStream {
    /// A frame being decoded on a worker; `result` is set before `done` is left.
    private final class Job: @unchecked Sendable {
        let done = DispatchGroup()
        var result: Result<[UInt8], IOError> = .success([])
    }

    /// Skippable frame 0 with 4 bytes of content, as `pzstd` writes before every frame.
    private static let header: [UInt8] = [0x50, 0x2A, 0x4D, 0x18, 0x04, 0x00, 0x00, 0x00]
    /// The largest compressed frame taken on trust from a header; `pzstd` writes a few MB.
    private static let maxFrameBytes = 1 << 30

    private let source: ByteStream
    private let path: String
    private let workers: Int
    private var inFlight: [Job] = []
    private var current: [UInt8] = []
    private var offset = 0
    /// Decodes what follows the first frame without a size header.
    private var rest: ByteStream?
    private var sourceDone = false

    public init(source: ByteStream, path: String, workers: Int) {
        self.source = source
        self.path = path
        self.workers = max(1, workers)
    }

    /// True when `prefix` (the first 8 bytes of a file) is `pzstd`'s size header.
    public static func isPzstd(_ prefix: [UInt8]) -> Bool { prefix.prefix(8).elementsEqual(header) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if offset < current.count {
                let n = min(buffer.count, current.count - offset)
                current.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
                offset += n
                return n
            }
            try startFrames()
            if !inFlight.isEmpty {
                let job = inFlight.removeFirst()
                job.done.wait()
                current = try job.result.get()
                offset = 0
                continue
            }
            if let rest { return try rest.read(into: buffer) }
            return 0
        }
    }

    /// Reads frames and starts decoding them until `workers` are in flight or the file ends.
    private func startFrames() throws {
        while inFlight.count < workers, !sourceDone, let frame = try nextFrame() {
            let job = Job()
            let path = path
            job.done.enter()
            DispatchQueue.global().async {
                job.result = PzstdDecoder.decode(frame, path: path)
                job.done.leave()
            }
            inFlight.append(job)
        }
    }

    /// The next frame's compressed bytes; nil at the end of the file, or when a frame has no
    /// size header (then `rest` decodes the remainder).
    private func nextFrame() throws -> [UInt8]? {
        var head = [UInt8](repeating: 0, count: 12)
        let got = try head.withUnsafeMutableBytes { try source.fill($0) }
        guard got > 0 else {
            sourceDone = true
            return nil
        }
        guard got == 12, PzstdDecoder.isPzstd(head) else {
            sourceDone = true
            rest = try ZstdDecoder(source: Replay(Array(head[0..<got]), then: source), path: path)
            return nil
        }
        let size = Int(UInt32(head[8]) | UInt32(head[9]) << 8 | UInt32(head[10]) << 16 | UInt32(head[11]) << 24)
        guard size > 0, size <= PzstdDecoder.maxFrameBytes else { throw corrupt("a frame size header says \(size) bytes") }
        var frame = [UInt8](repeating: 0, count: size)
        guard try frame.withUnsafeMutableBytes({ try source.fill($0) }) == size else {
            throw IOError(.corruptCompression, path: path, message: "the zstd stream ends in the middle of a frame (the file is truncated)",
                          remedy: "Copy or export the file again")
        }
        return frame
    }

    private func corrupt(_ what: String) -> IOError {
        IOError(.corruptCompression, path: path, message: "the zstd data is corrupt (\(what))", remedy: "Copy or export the file again")
    }

    /// Decodes one frame. `pzstd` does not write the content size in its frame headers, so
    /// the frame is decoded as a stream into a growing buffer.
    private static func decode(_ frame: [UInt8], path: String) -> Result<[UInt8], IOError> {
        do {
            let decoder = try ZstdDecoder(source: MemoryStream(frame), path: path)
            var out: [UInt8] = []
            out.reserveCapacity(4 * frame.count)
            var block = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = try block.withUnsafeMutableBytes { try decoder.read(into: $0) }
                if n == 0 { return .success(out) }
                out += block[0..<n]
            }
        } catch {
            return .failure(error as? IOError ?? IOError(.corruptCompression, path: path, message: "the zstd data is corrupt", remedy: "Copy or export the file again"))
        }
    }
}

/// Bytes already read off a stream, then the rest of it.
private final class Replay: ByteStream {
    private let head: [UInt8]
    private var offset = 0
    private let tail: ByteStream

    init(_ head: [UInt8], then tail: ByteStream) {
        self.head = head
        self.tail = tail
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard offset < head.count else { return try tail.read(into: buffer) }
        let n = min(buffer.count, head.count - offset)
        head.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
        offset += n
        return n
    }
}
