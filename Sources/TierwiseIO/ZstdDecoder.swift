import CZstd

/// Streaming zstd decompression with `ZSTD_decompressStream`.
///
/// A final class because it owns the C `ZSTD_DStream` and frees it in `deinit`; the
/// stream keeps internal pointers into its own window, so it must not be copied.
/// Multi-frame files (as `pzstd` and `zstd -T` write) decode as one stream.
public final class ZstdDecoder: ByteStream {
    private let source: ByteStream
    private let path: String
    private let stream: OpaquePointer
    private var input: SourceWindow
    /// 0 after a frame has been fully decoded and flushed; nonzero while inside a frame.
    private var frameState: Int = 0

    public init(source: ByteStream, path: String) throws {
        guard let s = ZSTD_createDStream() else {
            throw IOError(.corruptCompression, path: path, message: "cannot create a zstd decoder (out of memory)")
        }
        self.source = source
        self.path = path
        self.stream = s
        self.input = SourceWindow(capacity: ZSTD_DStreamInSize())
        ZSTD_initDStream(s)
    }

    deinit {
        ZSTD_freeDStream(stream)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            try input.refillIfEmpty(from: source)
            if input.exhausted {
                if frameState != 0 || !input.sawAnyInput {
                    throw IOError(.corruptCompression, path: path, message: "the zstd stream ends in the middle of a frame (the file is truncated)",
                                  remedy: "Copy or export the file again")
                }
                return 0
            }
            var produced = 0
            var failure: Int? = nil
            let (start, end) = (input.position, input.end)
            var consumedTo = start
            input.bytes.withUnsafeBytes { inBytes in
                var inBuf = ZSTD_inBuffer(src: inBytes.baseAddress, size: end, pos: start)
                var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                let rc = ZSTD_decompressStream(stream, &outBuf, &inBuf)
                if ZSTD_isError(rc) != 0 {
                    failure = rc
                } else {
                    frameState = rc
                }
                consumedTo = inBuf.pos
                produced = outBuf.pos
            }
            input.position = consumedTo
            if let failure {
                let name = String(cString: ZSTD_getErrorName(failure))
                throw IOError(.corruptCompression, path: path, message: "the zstd data is corrupt (\(name))", remedy: "Copy or export the file again")
            }
            if produced > 0 { return produced }
        }
    }
}
