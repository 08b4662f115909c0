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
    private var input: [UInt8]
    private var inputPos = 0
    private var inputEnd = 0
    private var sourceDone = false
    /// 0 after a frame has been fully decoded and flushed; nonzero while inside a frame.
    private var frameState: Int = 0
    private var sawAnyInput = false

    public init(source: ByteStream, path: String) throws {
        guard let s = ZSTD_createDStream() else {
            throw IOError(.corruptCompression, path: path, message: "cannot create a zstd decoder (out of memory)")
        }
        self.source = source
        self.path = path
        self.stream = s
        self.input = [UInt8](repeating: 0, count: ZSTD_DStreamInSize())
        ZSTD_initDStream(s)
    }

    deinit {
        ZSTD_freeDStream(stream)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if inputPos == inputEnd && !sourceDone {
                let n = try input.withUnsafeMutableBytes { try source.read(into: $0) }
                inputPos = 0
                inputEnd = n
                if n == 0 { sourceDone = true } else { sawAnyInput = true }
            }
            if inputPos == inputEnd && sourceDone {
                if frameState != 0 || !sawAnyInput {
                    throw IOError(.corruptCompression, path: path, message: "the zstd stream ends in the middle of a frame (the file is truncated)",
                                  remedy: "Copy or export the file again")
                }
                return 0
            }
            var produced = 0
            var failure: Int? = nil
            input.withUnsafeBytes { inBytes in
                var inBuf = ZSTD_inBuffer(src: inBytes.baseAddress, size: inputEnd, pos: inputPos)
                var outBuf = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
                let rc = ZSTD_decompressStream(stream, &outBuf, &inBuf)
                if ZSTD_isError(rc) != 0 {
                    failure = rc
                } else {
                    frameState = rc
                }
                inputPos = inBuf.pos
                produced = outBuf.pos
            }
            if let failure {
                let name = String(cString: ZSTD_getErrorName(failure))
                throw IOError(.corruptCompression, path: path, message: "the zstd data is corrupt (\(name))", remedy: "Copy or export the file again")
            }
            if produced > 0 { return produced }
        }
    }
}
