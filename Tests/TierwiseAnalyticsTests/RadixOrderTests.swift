import Testing
import TierwiseAnalytics
import TierwiseTestSupport

/// The radix sort against the standard library's sort with the same tie rule, on keys that
/// vary in every byte, in a few bytes only, in none, and with heavy ties.
@Test(arguments: [UInt64.max, 0xFF, 0xFF00_0000_0000_00F0, 0x0300_0000_0000_0000, 0])
func radixOrderSortsByKeyThenPosition(mask: UInt64) {
    var random = SplitMix64(state: mask)
    for n in [0, 1, 2, 5_000] {
        let keys = (0..<n).map { _ in random.next() & mask }
        let (order, sorted) = RadixOrder.ascending(keys)
        let expected = (0..<n).sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
        #expect(order.map(Int.init) == expected)
        #expect(sorted == expected.map { keys[$0] })
    }
}

/// The keys made from numbers order as the numbers do, over signs, extremes and (for
/// doubles) zeros of either sign, infinities and subnormals.
@Test func radixKeysOrderAsTheirValues() {
    var random = SplitMix64(state: 99)
    let ints: [Int64] = [.min, .min + 1, -1, 0, 1, .max - 1, .max] + (0..<200).map { _ in Int64(bitPattern: random.next()) >> random.below(64) }
    for a in ints { for b in ints { #expect((RadixOrder.key(a) < RadixOrder.key(b)) == (a < b)) } }
    let doubles: [Double] = [-.infinity, -.greatestFiniteMagnitude, -1, -.leastNonzeroMagnitude, -0.0, 0, .leastNonzeroMagnitude, 0.5, 1, .infinity]
        + (0..<200).map { _ in Double(Int64(bitPattern: random.next()) >> random.below(64)) / Double(1 + random.below(1_000)) }
    for a in doubles {
        for b in doubles {
            #expect((RadixOrder.key(a) < RadixOrder.key(b)) == (a < b), "\(a) \(b)")
            #expect((RadixOrder.key(a) == RadixOrder.key(b)) == (a == b), "\(a) \(b)")
        }
    }
}

/// The value-score order: best score first, equal scores by position, whatever the ties.
@Test func tierRanksFollowTheScoreThenThePosition() {
    var random = SplitMix64(state: 5)
    let n = 2_000
    let profit = (0..<n).map { _ in Int64(random.below(7)) - 3 }, balance = (0..<n).map { _ in Int64(random.below(5)) }
    let r = Tiering.assign(clv: nil, profit: profit, balance: balance, rfmSum: (0..<n).map { _ in 3 + random.below(3) }, p: TierParameters())
    var byRank = [Int](repeating: -1, count: n)
    for i in 0..<n { byRank[r.rank[i] - 1] = i }
    #expect(!byRank.contains(-1))
    for k in 1..<n {
        let a = byRank[k - 1], b = byRank[k]
        #expect(r.valueScore[a] > r.valueScore[b] || (r.valueScore[a] == r.valueScore[b] && a < b))
    }
}
