import Testing
import TierwiseIO
import TierwiseTestSupport

/// Deterministic pseudo-random CSV-like bytes.
func sampleBytes(_ n: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var out: [UInt8] = []
    out.reserveCapacity(n)
    let alphabet = Array("0123456789,.-abcdefgh\n\"".utf8)
    for _ in 0..<n {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        out.append(alphabet[Int(state >> 59) % alphabet.count])
    }
    return out
}

func drain(_ stream: ByteStream, block: Int = 4096) throws -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: block)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try stream.read(into: $0) }
        if n == 0 { return out }
        out += buffer[0..<n]
    }
}

@Test(arguments: [0, 1, 100, 70_000, 300_000])
func zstdRoundTrip(size: Int) throws {
    let data = sampleBytes(size, seed: UInt64(size) + 1)
    let packed = try TestSupport.zstd(data)
    if size > 0 { #expect(Compression.sniff(packed) == .zstd) }
    #expect(try drain(try ZstdDecoder(source: MemoryStream(packed, maxBlock: 333), path: "x")) == data)
}

@Test(arguments: [1, 100, 70_000, 300_000])
func gzipRoundTrip(size: Int) throws {
    let data = sampleBytes(size, seed: UInt64(size) + 7)
    let packed = try TestSupport.gzip(data)
    #expect(Compression.sniff(packed) == .gzip)
    #expect(try drain(try GzipDecoder(source: MemoryStream(packed, maxBlock: 333), path: "x")) == data)
}

@Test func truncatedZstdIsAnError() throws {
    let packed = try TestSupport.zstd(sampleBytes(100_000, seed: 3))
    let cut = Array(packed[..<(packed.count / 2)])
    #expect(throws: IOError.self) { _ = try drain(try ZstdDecoder(source: MemoryStream(cut), path: "x.zst")) }
}

@Test func truncatedGzipIsAnError() throws {
    let packed = try TestSupport.gzip(sampleBytes(100_000, seed: 4))
    let cut = Array(packed[..<(packed.count - 20)])
    #expect(throws: IOError.self) { _ = try drain(try GzipDecoder(source: MemoryStream(cut), path: "x.gz")) }
}

@Test func corruptZstdIsAnError() throws {
    var packed = try TestSupport.zstd(sampleBytes(50_000, seed: 5))
    for i in stride(from: 20, to: packed.count, by: 97) { packed[i] ^= 0x5A }
    #expect(throws: IOError.self) { _ = try drain(try ZstdDecoder(source: MemoryStream(packed), path: "x.zst")) }
}

@Test func sniffingUsesMagicBytesNotNames() throws {
    let folder = TestSupport.temporaryFolder()
    TestSupport.write(folder + "/plain.csv.zst", "a,b\n1,2\n")
    let opened = try OpenedInput.open(folder + "/plain.csv.zst")
    #expect(opened.compression == .none)
    TestSupport.write(folder + "/packed.csv", bytes: try TestSupport.zstd(Array("a,b\n1,2\n".utf8)))
    #expect(try OpenedInput.open(folder + "/packed.csv").compression == .zstd)
}

/// The read-ahead thread must hand over every byte in order, whatever the block sizes.
@Test(arguments: [(0, 7), (1, 7), (70_000, 1 << 10), (300_000, 4096), (300_000, 1 << 20)])
func prefetchKeepsEveryByteInOrder(size: Int, block: Int) throws {
    let data = sampleBytes(size, seed: UInt64(size) + 11)
    let packed = try TestSupport.zstd(data)
    let inner = try ZstdDecoder(source: MemoryStream(packed, maxBlock: 333), path: "x.zst")
    let stream = PrefetchStream(inner, blockBytes: block, depth: 2, sourceBytes: { 0 })
    #expect(try drain(stream, block: 1000) == data)
}

/// A decoding error reaches the reader after the bytes before it, not as a short file.
@Test func prefetchThrowsTheInnerError() throws {
    let packed = try TestSupport.zstd(sampleBytes(200_000, seed: 12))
    let cut = Array(packed[..<(packed.count / 2)])
    let stream = PrefetchStream(try ZstdDecoder(source: MemoryStream(cut), path: "x.zst"), blockBytes: 4096, sourceBytes: { 0 })
    #expect(throws: IOError.self) { _ = try drain(stream) }
}

/// A reader that stops early must not leave the read-ahead thread blocked forever on a full queue.
@Test func prefetchStopsWhenDropped() throws {
    let packed = try TestSupport.zstd(sampleBytes(2_000_000, seed: 13))
    for _ in 0..<20 {
        let stream = PrefetchStream(try ZstdDecoder(source: MemoryStream(packed), path: "x.zst"), blockBytes: 1024, depth: 1, sourceBytes: { 0 })
        var buffer = [UInt8](repeating: 0, count: 100)
        #expect(try buffer.withUnsafeMutableBytes { try stream.read(into: $0) } == 100)
    }
}

/// `pzstd`'s layout: before each zstd frame, a skippable frame holding its compressed size.
private func pzstdFrame(_ data: [UInt8]) throws -> [UInt8] {
    let frame = try TestSupport.zstd(data)
    let n = UInt32(frame.count)
    return [0x50, 0x2A, 0x4D, 0x18, 0x04, 0x00, 0x00, 0x00, UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + frame
}

/// Frames decoded on several threads must come out whole and in file order, whatever the
/// number in flight and however the source hands out its bytes.
@Test(arguments: [1, 2, 5])
func pzstdFramesDecodeInOrder(workers: Int) throws {
    let parts = [70_000, 1, 300_000, 0, 12_345, 200_000].enumerated().map { sampleBytes($1, seed: UInt64($0) + 40) }
    let packed = try parts.flatMap { try pzstdFrame($0) }
    #expect(PzstdDecoder.isPzstd(Array(packed.prefix(8))))
    #expect(try drain(PzstdDecoder(source: MemoryStream(packed, maxBlock: 777), path: "x", workers: workers)) == parts.flatMap { $0 })
}

/// A plain zstd stream after the `pzstd` frames (two files concatenated) decodes in order too.
@Test func pzstdFollowedByPlainZstdDecodesTheRestInOrder() throws {
    let a = sampleBytes(100_000, seed: 1), b = sampleBytes(50_000, seed: 2), c = sampleBytes(80_000, seed: 3)
    let packed = try pzstdFrame(a) + pzstdFrame(b) + TestSupport.zstd(c)
    #expect(try drain(PzstdDecoder(source: MemoryStream(packed, maxBlock: 5_000), path: "x", workers: 2)) == a + b + c)
}

/// A file cut inside a frame, or with a damaged frame, is an error after the bytes before it.
@Test func pzstdTruncatedOrCorruptIsAnError() throws {
    let a = sampleBytes(100_000, seed: 4), b = sampleBytes(100_000, seed: 5)
    let packed = try pzstdFrame(a) + pzstdFrame(b)
    #expect(throws: IOError.self) { _ = try drain(PzstdDecoder(source: MemoryStream(Array(packed.dropLast(10))), path: "x", workers: 2)) }
    // The second frame's zstd magic number damaged (zstd itself only notices damage inside
    // a frame where a checksum or the structure says so).
    var damaged = packed
    damaged[try pzstdFrame(a).count + 12] ^= 0xFF
    #expect(throws: IOError.self) { _ = try drain(PzstdDecoder(source: MemoryStream(damaged), path: "x", workers: 2)) }
    // A size header that promises more than the file holds.
    var overlong = try pzstdFrame(a)
    overlong[11] = 0x7F
    #expect(throws: IOError.self) { _ = try drain(PzstdDecoder(source: MemoryStream(overlong), path: "x", workers: 2)) }
}
