/// One customer's purchase history reduced to the three numbers the BG/NBD
/// model needs (its sufficient statistics), all in model time units.
///
/// - `x`: number of repeat purchase days (purchase days − 1),
/// - `tx`: time of the last purchase, measured from the first purchase,
/// - `T`: age of the customer, from the first purchase to the end of calibration.
///
/// Why a value type with `Double`s: the model is evaluated on real-valued
/// times (days / 7 for weeks) and `Hashable` lets identical histories be grouped.
public struct PurchaseSummary: Hashable, Sendable {
    public var x: Double
    public var tx: Double
    public var T: Double

    public init(x: Double, tx: Double, T: Double) {
        self.x = x
        self.tx = tx
        self.T = T
    }
}

/// Unique purchase summaries with the number (or total weight) of customers
/// sharing each of them.
///
/// Real transaction data repeats (x, tx, T) heavily (integer x, whole days),
/// so the likelihood is evaluated once per unique summary and multiplied by
/// its weight. Groups are sorted by (x, tx, T) so that the order — and hence
/// every floating-point sum over groups — does not depend on input order or
/// on hashing.
public struct WeightedSummaries: Sendable {
    public var summaries: [PurchaseSummary]
    public var weights: [Double]

    public init(summaries: [PurchaseSummary], weights: [Double]) {
        precondition(summaries.count == weights.count, "one weight per summary")
        self.summaries = summaries
        self.weights = weights
    }

    /// Total weight (number of customers when unweighted).
    public var totalWeight: Double { weights.reduce(0, +) }

    /// Groups `summaries` into unique (x, tx, T), summing `weights` (default 1
    /// per customer) in input order. Output is sorted by x, then tx, then T.
    public static func group(_ summaries: [PurchaseSummary], weights: [Double]? = nil) -> WeightedSummaries {
        if let weights { precondition(weights.count == summaries.count, "one weight per summary") }
        var table = KeyTable(expected: min(summaries.count, 1 << 16))
        var keys: [PurchaseSummary] = []
        var sums: [Double] = []
        for (i, s) in summaries.enumerated() {
            let w = weights?[i] ?? 1
            let id = table.insert(s.x, s.tx, s.T, nextID: keys.count)
            if id == keys.count {
                keys.append(s)
                sums.append(w)
            } else {
                sums[id] += w
            }
        }
        var pairs = Array(zip(keys, sums))
        pairs.sort { l, r in
            let a = l.0, b = r.0
            if a.x != b.x { return a.x < b.x }
            if a.tx != b.tx { return a.tx < b.tx }
            return a.T < b.T
        }
        return WeightedSummaries(summaries: pairs.map(\.0), weights: pairs.map(\.1))
    }
}

/// Open-addressing hash table from up to three `Double`s (compared by bit
/// pattern, with −0 folded into +0) to a dense integer id.
///
/// Why not `Dictionary`: grouping a million customers is on the hot path of a
/// fit and of batch scoring; a flat table with a cheap multiplicative hash is
/// several times faster than SipHash-based `Dictionary` with a struct key.
struct KeyTable {
    private var k0: [UInt64]
    private var k1: [UInt64]
    private var k2: [UInt64]
    private var ids: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(expected: Int) {
        var cap = 16
        while cap < expected * 2 { cap <<= 1 }
        k0 = Array(repeating: 0, count: cap)
        k1 = Array(repeating: 0, count: cap)
        k2 = Array(repeating: 0, count: cap)
        ids = Array(repeating: -1, count: cap)
        mask = cap - 1
    }

    @inline(__always) private static func bits(_ v: Double) -> UInt64 {
        v == 0 ? 0 : v.bitPattern
    }

    @inline(__always) private static func hash(_ a: UInt64, _ b: UInt64, _ c: UInt64) -> Int {
        var h = a &* 0x9E37_79B9_7F4A_7C15
        h = (h ^ (h >> 29) ^ b) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 31) ^ c) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// Returns the id of the key, inserting it with `nextID` when absent.
    mutating func insert(_ x: Double, _ y: Double, _ z: Double, nextID: Int) -> Int {
        if (count + 1) * 2 > ids.count { grow() }
        let a = Self.bits(x), b = Self.bits(y), c = Self.bits(z)
        var slot = Self.hash(a, b, c) & mask
        while true {
            let id = ids[slot]
            if id < 0 {
                k0[slot] = a; k1[slot] = b; k2[slot] = c
                ids[slot] = Int32(nextID)
                count += 1
                return nextID
            }
            if k0[slot] == a && k1[slot] == b && k2[slot] == c { return Int(id) }
            slot = (slot + 1) & mask
        }
    }

    private mutating func grow() {
        let old = (k0, k1, k2, ids)
        let cap = ids.count * 2
        k0 = Array(repeating: 0, count: cap)
        k1 = Array(repeating: 0, count: cap)
        k2 = Array(repeating: 0, count: cap)
        ids = Array(repeating: -1, count: cap)
        mask = cap - 1
        for i in old.3.indices where old.3[i] >= 0 {
            var slot = Self.hash(old.0[i], old.1[i], old.2[i]) & mask
            while ids[slot] >= 0 { slot = (slot + 1) & mask }
            k0[slot] = old.0[i]; k1[slot] = old.1[i]; k2[slot] = old.2[i]
            ids[slot] = old.3[i]
        }
    }
}
