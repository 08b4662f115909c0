/// Up to 16 bytes packed little-endian into two words, with their count, so that comparing
/// two short byte strings (a code, a label, an id's prefix, a date) is three loads instead
/// of a loop over bytes or a generic comparison. For the per-row lookups of ingest.
struct PackedBytes: Hashable {
    private(set) var low: UInt64 = 0
    private(set) var high: UInt64 = 0
    private(set) var count = 0

    /// No bytes.
    init() {}

    /// Nil when `bytes` is longer than 16. With `lowercasingASCII`, A–Z are packed as a–z.
    ///
    /// Loads words, not bytes: two loads that overlap when the count is not a multiple of
    /// the word (the bytes they share are the same, so OR-ing them is exact), and never a
    /// byte outside `bytes`.
    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer, lowercasingASCII: Bool = false) {
        let n = bytes.count
        guard n <= 16 else { return nil }
        count = n
        guard let p = bytes.baseAddress else { return }
        @inline(__always) func load64(_ at: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt64.self)) }
        @inline(__always) func load32(_ at: Int) -> UInt64 { UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self))) }
        if n >= 8 {
            low = load64(0)
            if n > 8 { high = load64(n - 8) >> UInt64(8 * (16 - n)) }
        } else if n >= 4 {
            low = load32(0) | load32(n - 4) << UInt64(8 * (n - 4))
        } else if n > 0 {
            // Bytes 0, n/2 and n − 1 are every byte of 1 to 3 (a currency code), without a loop.
            @inline(__always) func byte(_ at: Int) -> UInt64 { UInt64(p.load(fromByteOffset: at, as: UInt8.self)) << UInt64(8 * at) }
            low = byte(0) | byte(n / 2) | byte(n - 1)
        }
        if lowercasingASCII {
            low = PackedBytes.lowercased(low)
            high = PackedBytes.lowercased(high)
        }
    }

    /// A–Z of each byte of `w` made a–z, all at once: a byte gets 0x20 added when it is at
    /// least 0x41 and at most 0x5A, found with its high bit clear (bytes from 0x80 stay).
    @inline(__always)
    static func lowercased(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101, high: UInt64 = 0x8080_8080_8080_8080
        let ascii = ~w & high
        let atLeastA = (w & ~high) &+ ones &* (0x80 - 0x41)
        let aboveZ = (w & ~high) &+ ones &* (0x80 - 0x5B)
        let upper = ascii & atLeastA & ~aboveZ & high
        return w | (upper >> 2)
    }

    init?(_ bytes: [UInt8], lowercasingASCII: Bool = false) {
        guard let packed = bytes.withUnsafeBytes({ PackedBytes($0, lowercasingASCII: lowercasingASCII) }) else { return nil }
        self = packed
    }

    /// The bytes packed.
    var bytes: [UInt8] {
        (0..<count).map { i in
            let word = i < 8 ? low : high
            return UInt8(truncatingIfNeeded: word >> UInt64(8 * (i % 8)))
        }
    }
}
