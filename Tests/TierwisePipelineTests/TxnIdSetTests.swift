import Testing
@testable import TierwisePipeline
import TierwiseTestSupport

/// `TxnIdSet` against a plain set of the ids' bytes, on ids drawn so that every path is
/// taken: dense sequence numbers (bit pages, the previous page and family remembered),
/// families that alternate, repeats near and far, a family sparse enough to move to hashing
/// part-way, and ids of no family (no digits at the end, or a prefix over 16 bytes). Ids of
/// the previous id's length take a shorter way when they are of its family; the draw mixes in
/// ids of the same length from other families, with an empty prefix, and with a prefix that
/// ends in a digit (19 digits, of which 18 count).
@Test func txnIdSetAgreesWithASetOfBytes() {
    var random = SplitMix64(state: 0x7478_6e69_6473)
    var set = TxnIdSet()
    var plain = Set<[UInt8]>()
    var given: [[UInt8]] = []
    func numbered(_ prefix: String, _ number: Int, digits: Int) -> [UInt8] {
        let text = String(number)
        return Array(prefix.utf8) + Array(repeating: UInt8(ascii: "0"), count: max(0, digits - text.count)) + Array(text.utf8)
    }
    var sequence = 0
    var duplicates = 0
    for step in 0..<400_000 {
        let id: [UInt8]
        switch random.below(100) {
        case 0..<55: sequence += 1 + random.below(3); id = numbered("T", sequence, digits: 10)  // in order, across pages
        case 55..<65: id = numbered("X-", random.below(70_000), digits: 8)  // a second dense family, interleaved
        case 65..<72: id = numbered("R", Int(random.next() >> 4) % 1_000_000_000_000, digits: 12)  // sparse: moves to hashing
        case 72..<80: id = numbered("T", random.below(sequence + 1), digits: 10)  // often a repeat, far back
        case 80..<85: id = numbered("T", random.below(sequence + 1), digits: 9)  // same digits, other width: another family
        case 85..<90: id = Array("ref-\(random.below(5_000))-x".utf8)  // no digits at the end: hashed
        case 90..<93: id = numbered("A-VERY-LONG-PREFIX-", random.below(5_000), digits: 4)  // prefix over 16 bytes: hashed
        case 93: id = numbered("", random.below(300_000), digits: 7)  // digits only: an empty prefix
        case 94: id = numbered("Z", random.below(300_000), digits: 19)  // past 18 digits: the prefix ends in a digit
        case 95: id = numbered("Q", random.below(300_000), digits: 10)  // the length of the T ids, another prefix
        default: id = given.isEmpty ? [UInt8(ascii: "1")] : given[random.below(given.count)]  // an exact repeat
        }
        let expected = plain.insert(id).inserted
        let got = id.withUnsafeBytes { set.insert($0) }
        if got != expected {
            Issue.record("step \(step): \(String(decoding: id, as: UTF8.self)) inserted \(got), expected \(expected)")
            return
        }
        if !expected { duplicates += 1 }
        if step % 7 == 0 { given.append(id) }
    }
    #expect(set.count == plain.count)
    #expect(duplicates > 40_000, "the draw should repeat ids often: \(duplicates)")
}
