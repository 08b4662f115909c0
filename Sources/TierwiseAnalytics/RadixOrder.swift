/// Positions sorted by 64-bit keys with a stable least-significant-byte radix sort, for the
/// rank computations over every customer (RFM scores, percentile ranks, the value-score
/// order). Swift's `sort` is a merge sort through a comparison closure; on L's 500,000
/// customers each such sort took 30–40 ms, and the rfm and tier stages did eight of them.
/// Only the bytes in which the keys differ get a pass: a frequency or a recency varies in
/// two or three of its eight.
public enum RadixOrder {
    /// The positions `0..<keys.count` in ascending order of their key, equal keys in
    /// ascending position, with the keys in that order.
    public static func ascending(_ keys: [UInt64]) -> (order: [Int32], keys: [UInt64]) {
        let n = keys.count
        var order = Array(0..<Int32(n))
        var sorted = keys
        var anyOne: UInt64 = 0, allOne: UInt64 = ~0
        for k in keys { anyOne |= k; allOne &= k }
        let varying = anyOne ^ allOne
        guard varying != 0 else { return (order, sorted) }
        var otherOrder = [Int32](repeating: 0, count: n), otherKeys = [UInt64](repeating: 0, count: n)
        var starts = [Int](repeating: 0, count: 256)
        for byte in 0..<8 where (varying >> UInt64(byte * 8)) & 0xFF != 0 {
            let shift = UInt64(byte * 8)
            sorted.withUnsafeBufferPointer { from in
                order.withUnsafeBufferPointer { fromOrder in
                    otherKeys.withUnsafeMutableBufferPointer { to in
                        otherOrder.withUnsafeMutableBufferPointer { toOrder in
                            starts.withUnsafeMutableBufferPointer { starts in
                                for d in 0..<256 { starts[d] = 0 }
                                for k in from { starts[Int(truncatingIfNeeded: (k >> shift) & 0xFF)] += 1 }
                                var sum = 0
                                for d in 0..<256 {
                                    let c = starts[d]
                                    starts[d] = sum
                                    sum += c
                                }
                                for i in 0..<n {
                                    let k = from[i]
                                    let d = Int(truncatingIfNeeded: (k >> shift) & 0xFF)
                                    let at = starts[d]
                                    to[at] = k
                                    toOrder[at] = fromOrder[i]
                                    starts[d] = at + 1
                                }
                            }
                        }
                    }
                }
            }
            swap(&sorted, &otherKeys)
            swap(&order, &otherOrder)
        }
        return (order, sorted)
    }

    /// A key that orders as the signed value does.
    @inline(__always) public static func key(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) ^ (1 << 63) }

    /// A key that orders as the value does, with −0 and +0 equal (NaN is not ordered by
    /// `<`; it gets no particular place).
    @inline(__always) public static func key(_ value: Double) -> UInt64 {
        let bits = value == 0 ? 0 : value.bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }
}
