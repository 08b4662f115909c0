/// Up to 16 bytes packed little-endian into two words, with their count, so that comparing
/// two short byte strings (a code, a label, an id's prefix, a date) is three loads instead
/// of a loop over bytes or a generic comparison. For the per-row lookups of ingest.
struct PackedBytes: Hashable {
    private(set) var low: UInt64 = 0
    private(set) var high: UInt64 = 0
    private(set) var count = 0

    /// Nil when `bytes` is longer than 16. With `lowercasingASCII`, A–Z are packed as a–z.
    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer, lowercasingASCII: Bool = false) {
        let n = bytes.count
        guard n <= 16 else { return nil }
        for i in 0..<n {
            var c = bytes[i]
            if lowercasingASCII && c >= 65 && c <= 90 { c += 32 }
            if i < 8 { low |= UInt64(c) << UInt64(8 * i) } else { high |= UInt64(c) << UInt64(8 * (i - 8)) }
        }
        count = n
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
