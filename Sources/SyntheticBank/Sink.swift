/// Where generated CSV bytes go. The generator buffers rows and calls `write`
/// with blocks of about 64 KiB (always whole rows), so an implementation can
/// hand them straight to a file, a zstd/gzip compressor, a socket, ...
public protocol ByteSink {
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws
}

/// Convenience for sinks that prefer text; bytes are always valid UTF-8 (ASCII).
public protocol TextSink {
    mutating func write(_ text: String) throws
}

/// Adapts a `TextSink` to a `ByteSink`.
public struct TextSinkAdapter<Base: TextSink>: ByteSink {
    public var base: Base
    public init(_ base: Base) { self.base = base }
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        try base.write(String(decoding: bytes, as: UTF8.self))
    }
}

/// Collects everything in memory (tests, small runs).
public struct ByteArraySink: ByteSink, Sendable {
    public var bytes: [UInt8] = []
    public init() {}
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        self.bytes.append(contentsOf: bytes)
    }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Discards bytes, counting them and the newline-terminated lines.
public struct CountingSink: ByteSink, Sendable {
    public var byteCount = 0
    public var lineCount = 0
    public init() {}
    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        byteCount += bytes.count
        for b in bytes where b == 10 { lineCount += 1 }
    }
}

/// Row builder: appends ASCII into a byte array and flushes in blocks.
struct RowBuffer {
    var bytes: [UInt8]
    let flushAt: Int

    init(flushAt: Int = 1 << 16) {
        self.flushAt = flushAt
        bytes = []
        bytes.reserveCapacity(flushAt + 1024)
    }

    @inline(__always) var needsFlush: Bool { bytes.count >= flushAt }

    mutating func flush<S: ByteSink>(into sink: inout S) throws {
        if bytes.isEmpty { return }
        try bytes.withUnsafeBytes { try sink.write($0) }
        bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always) mutating func byte(_ b: UInt8) { bytes.append(b) }

    @inline(__always) mutating func ascii(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) mutating func ascii(_ s: [UInt8]) { bytes.append(contentsOf: s) }

    /// Non-negative integer, zero-padded to `width` digits.
    @inline(__always) mutating func padded(_ v: Int, width: Int) {
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = UInt64(v)
        withUnsafeMutableBytes(of: &tmp) { p in
            repeat {
                p[19 - n] = UInt8(truncatingIfNeeded: x % 10) &+ 48
                x /= 10
                n += 1
            } while x > 0
            while n < width && n < 20 {
                p[19 - n] = 48
                n += 1
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[(20 - n)...]))
        }
    }

    @inline(__always) mutating func int(_ v: Int) {
        if v < 0 { byte(45); padded(-v, width: 1) } else { padded(v, width: 1) }
    }

    /// Cents as a signed decimal with two places: -3520 -> "-35.20".
    @inline(__always) mutating func cents(_ c: Int64) {
        var v = c
        if v < 0 { byte(45); v = -v }
        padded(Int(v / 100), width: 1)
        byte(46)
        let r = Int(v % 100)
        byte(UInt8(r / 10) + 48)
        byte(UInt8(r % 10) + 48)
    }

    /// Rate in units of 1e-4 as "0.0350".
    @inline(__always) mutating func rate(_ r: Int) {
        padded(r / 10000, width: 1)
        byte(46)
        padded(r % 10000, width: 4)
    }

    /// YYYY-MM-DD for a day number.
    mutating func date(_ day: Int) {
        let d = CivilDate(daysSinceEpoch: day)
        padded(d.year, width: 4); byte(45)
        padded(d.month, width: 2); byte(45)
        padded(d.day, width: 2)
    }
}
