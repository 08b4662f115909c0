import CZlib

/// Streaming gzip decompression with zlib's `inflate`, including files of several
/// gzip members one after another (as `cat a.gz b.gz` makes).
///
/// A final class that owns the `z_stream`: zlib keeps a pointer back to the stream
/// structure, so its address must not move, and it is freed in `deinit`.
public final class GzipDecoder: ByteStream {
    private let source: ByteStream
    private let path: String
    private let stream: UnsafeMutablePointer<z_stream>
    private var input: SourceWindow
    private var insideMember = false
    private var membersDone = 0

    public init(source: ByteStream, path: String) throws {
        self.source = source
        self.path = path
        self.stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        self.input = SourceWindow(capacity: 1 << 16)
        guard CZlib_inflateInit2(stream, 15 + 16) == Z_OK else {
            stream.deallocate()
            throw IOError(.corruptCompression, path: path, message: "cannot create a gzip decoder")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            try input.refillIfEmpty(from: source)
            if input.exhausted {
                if insideMember || !input.sawAnyInput {
                    throw IOError(.corruptCompression, path: path, message: "the gzip stream ends early (the file is truncated)",
                                  remedy: "Copy or export the file again")
                }
                return 0
            }
            var produced = 0
            var rc: Int32 = Z_OK
            let (start, end) = (input.position, input.end)
            var consumedTo = start
            input.bytes.withUnsafeMutableBytes { inBytes in
                stream.pointee.next_in = inBytes.baseAddress!.assumingMemoryBound(to: Bytef.self) + start
                stream.pointee.avail_in = uInt(end - start)
                stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(buffer.count)
                rc = inflate(stream, Z_NO_FLUSH)
                consumedTo = end - Int(stream.pointee.avail_in)
                produced = buffer.count - Int(stream.pointee.avail_out)
            }
            input.position = consumedTo
            switch rc {
            case Z_OK, Z_BUF_ERROR:
                insideMember = true
            case Z_STREAM_END:
                insideMember = false
                membersDone += 1
                inflateReset(stream)
            default:
                let what = insideMember || membersDone == 0 ? "the gzip data is corrupt" : "there are bytes after the last gzip member that are not gzip data"
                throw IOError(.corruptCompression, path: path, message: "\(what) (zlib error \(rc))", remedy: "Copy or export the file again")
            }
            if produced > 0 { return produced }
            if rc == Z_BUF_ERROR && input.exhausted {
                throw IOError(.corruptCompression, path: path, message: "the gzip stream ends early (the file is truncated)", remedy: "Copy or export the file again")
            }
        }
    }
}
