import CZstd
import CZlib

/// Streaming zstd compression in front of another sink; used by `tierwise generate` and tests.
public final class ZstdEncoder: ByteSink {
    private let sink: ByteSink
    private let stream: OpaquePointer
    private var output: [UInt8]

    public init(sink: ByteSink, level: Int32 = 3) throws {
        guard let s = ZSTD_createCStream() else {
            throw IOError(.cannotWrite, path: "", message: "cannot create a zstd encoder")
        }
        self.sink = sink
        self.stream = s
        ZSTD_initCStream(s, level)
        output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
    }

    deinit { ZSTD_freeCStream(stream) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        var inBuf = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
        while inBuf.pos < inBuf.size {
            try drain { out in ZSTD_compressStream(stream, &out, &inBuf) }
        }
    }

    public func finish() throws {
        var remaining = 1
        while remaining != 0 {
            try drain { out in
                let rc = ZSTD_endStream(stream, &out)
                remaining = ZSTD_isError(rc) != 0 ? 0 : rc
                return rc
            }
        }
        try sink.finish()
    }

    private func drain(_ step: (inout ZSTD_outBuffer) -> Int) throws {
        let count = output.count
        let (rc, produced): (Int, Int) = output.withUnsafeMutableBytes { raw in
            var out = ZSTD_outBuffer(dst: raw.baseAddress, size: count, pos: 0)
            let rc = step(&out)
            return (rc, out.pos)
        }
        if ZSTD_isError(rc) != 0 {
            throw IOError(.cannotWrite, path: "", message: "zstd compression failed: \(String(cString: ZSTD_getErrorName(rc)))")
        }
        if produced > 0 {
            try output.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
        }
    }
}

/// Streaming gzip compression in front of another sink.
public final class GzipEncoder: ByteSink {
    private let sink: ByteSink
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 1 << 16)

    public init(sink: ByteSink, level: Int32 = 6) throws {
        self.sink = sink
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard CZlib_deflateInit2(stream, level, 15 + 16) == Z_OK else {
            stream.deallocate()
            throw IOError(.cannotWrite, path: "", message: "cannot create a gzip encoder")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        while stream.pointee.avail_in > 0 {
            try pump(flush: Z_NO_FLUSH)
        }
    }

    public func finish() throws {
        stream.pointee.next_in = nil
        stream.pointee.avail_in = 0
        while try pump(flush: Z_FINISH) != Z_STREAM_END {}
        try sink.finish()
    }

    @discardableResult
    private func pump(flush: Int32) throws -> Int32 {
        let count = output.count
        let (rc, produced): (Int32, Int) = output.withUnsafeMutableBytes { raw in
            stream.pointee.next_out = raw.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(count)
            let rc = deflate(stream, flush)
            return (rc, count - Int(stream.pointee.avail_out))
        }
        if rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR {
            throw IOError(.cannotWrite, path: "", message: "gzip compression failed (zlib error \(rc))")
        }
        if produced > 0 {
            try output.withUnsafeBytes { try sink.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
        }
        return rc
    }
}
