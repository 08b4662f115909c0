/// The set of days on which a customer transacted, one bit a day, for the BG/NBD summary
/// (x counts distinct purchase days). Two years take about 12 words; the set grows only
/// with the span of a customer's history, never with the number of rows.
public struct DayBitset: Sendable, Equatable {
    private var words: [UInt64] = []
    /// Word index (day >> 6) of `words[0]`. After `words`, so that the set takes 12 bytes and
    /// a record holding it can use the rest of its 16.
    private var base: Int32 = 0

    public init() {}

    public var isEmpty: Bool { words.isEmpty }

    /// Adds `day`. `last` is the latest day the set will be asked to hold (the as-of date):
    /// the first insert sizes the words to reach it, so a customer whose rows come in date
    /// order, as exports are, costs one allocation of the right size instead of a growing
    /// array's four or five, and the freed smaller ones do not fragment the heap.
    @inline(__always)
    public mutating func insert(_ day: Day, last: Day? = nil) {
        let w = day.number >> 6
        let bit = UInt64(1) << UInt64(day.number & 63)
        if words.isEmpty {
            base = w
            let end = max(w, (last ?? day).number >> 6)
            words = [UInt64](repeating: 0, count: Int(end - w) + 1)
            words[0] = bit
            return
        }
        if w < base {
            words.insert(contentsOf: repeatElement(0, count: Int(base - w)), at: 0)
            base = w
        } else if w >= base + Int32(words.count) {
            words.append(contentsOf: repeatElement(0, count: Int(w - base) - words.count + 1))
        }
        words[Int(w - base)] |= bit
    }

    /// Where the words' count and the word of `day` sit in memory, or nil while the set has
    /// no words. For prefetching only (ingest's fold, a few rows ahead): the word may lie past
    /// the end, so nothing may be read through it. It reads no more than the set's own
    /// fields, so asking is not itself a cache miss into the words.
    @inline(__always)
    public func addresses(of day: Day) -> (count: UnsafeRawPointer, word: UnsafeRawPointer)? {
        words.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return nil }
            let raw = UnsafeRawPointer(start)
            return (raw - 16, raw + 8 * (Int(day.number >> 6) - Int(base)))
        }
    }

    public func contains(_ day: Day) -> Bool {
        let w = day.number >> 6
        guard !words.isEmpty, w >= base, w < base + Int32(words.count) else { return false }
        return words[Int(w - base)] & (UInt64(1) << UInt64(day.number & 63)) != 0
    }

    /// How many days are in the set.
    public var count: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    /// Adds every day of `other` (for merging per-worker accumulators).
    public mutating func formUnion(_ other: DayBitset) {
        guard !other.words.isEmpty else { return }
        if words.isEmpty { self = other; return }
        let lo = min(base, other.base)
        let hi = max(base + Int32(words.count), other.base + Int32(other.words.count))
        var merged = [UInt64](repeating: 0, count: Int(hi - lo))
        for (i, w) in words.enumerated() { merged[Int(base - lo) + i] |= w }
        for (i, w) in other.words.enumerated() { merged[Int(other.base - lo) + i] |= w }
        base = lo
        words = merged
    }

    /// Equal when they hold the same days, however far their words reach.
    public static func == (a: DayBitset, b: DayBitset) -> Bool { a.days == b.days }

    /// The days in ascending order.
    public var days: [Day] {
        var out: [Day] = []
        for (i, w) in words.enumerated() where w != 0 {
            var bits = w
            while bits != 0 {
                let b = bits.trailingZeroBitCount
                out.append(Day(number: (base + Int32(i)) << 6 | Int32(b)))
                bits &= bits - 1
            }
        }
        return out
    }
}
