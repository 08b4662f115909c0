import Testing
import TierwiseAnalytics
@testable import TierwisePipeline
import TierwiseTestSupport

private func look<V>(_ v: Vocabulary<V>, _ text: String) -> V? {
    Array(text.utf8).withUnsafeBytes { v.lookup($0) }
}

/// Labels of up to 16 bytes are compared packed, longer ones byte by byte: both must match
/// without ASCII case, and only whole labels.
@Test func vocabularyMatchesLabelsOfAnyLengthWithoutCase() {
    let v = Vocabulary(contract: TransactionType.named,
                       labels: ["POS PURCHASE": "card", "Kartenzahlung Inland EUR": "card", "SEPA-GUTSCHRIFT!": "deposit", "Überweisung": "transfer"])
    #expect(look(v, "card") == .card && look(v, "CARD") == .card && look(v, "Card") == .card)
    #expect(look(v, "withdrawal") == .withdrawal && look(v, "WithDrawal") == .withdrawal)
    #expect(look(v, "pos purchase") == .card && look(v, "POS Purchase") == .card)
    #expect(look(v, "KARTENZAHLUNG INLAND EUR") == .card && look(v, "kartenzahlung inland eur") == .card)
    #expect(look(v, "sepa-gutschrift!") == .deposit)  // exactly 16 bytes
    #expect(look(v, "Überweisung") == .transfer)  // non-ASCII bytes compared as they are
    #expect(look(v, "cards") == nil && look(v, "car") == nil && look(v, "") == nil)
    #expect(look(v, "SEPA-GUTSCHRIFT!x") == nil && look(v, "Kartenzahlung Inland EURO") == nil)
    #expect(look(v, "POS  PURCHASE") == nil)
}

@Test func currencyTableKnowsTheReportingCurrencyAndTheRates() {
    let t = CurrencyTable(reporting: "EUR", rates: ["USD": 0.92])
    func outcome(_ code: String) -> String {
        switch Array(code.utf8).withUnsafeBytes({ t.lookup($0) }) {
        case .same: "same"
        case .rate(let r): "rate \(r)"
        case .unknown: "unknown"
        }
    }
    #expect(outcome("EUR") == "same")
    #expect(outcome("USD") == "rate 92000000")
    #expect(outcome("eur") == "unknown" && outcome("EURO") == "unknown" && outcome("XYZ") == "unknown")
    let long = CurrencyTable(reporting: "A-CURRENCY-CODE-OVER-16", rates: [:])
    #expect(Array("A-CURRENCY-CODE-OVER-16".utf8).withUnsafeBytes { if case .same = long.lookup($0) { true } else { false } })
}

/// The word loads and the lowercasing of `PackedBytes` against a byte-by-byte packing, for
/// every length up to 16 and bytes drawn from the whole range.
@Test func packedBytesAgreeWithPackingByteByByte() {
    var random = SplitMix64(state: 0x7061_636b)
    for _ in 0..<20_000 {
        let n = random.below(17)
        let bytes = (0..<n).map { _ in random.below(4) == 0 ? UInt8(65 + random.below(26)) : UInt8(truncatingIfNeeded: random.next()) }
        for lower in [false, true] {
            var low: UInt64 = 0, high: UInt64 = 0
            for (i, b) in bytes.enumerated() {
                let c = lower && b >= 65 && b <= 90 ? b + 32 : b
                if i < 8 { low |= UInt64(c) << UInt64(8 * i) } else { high |= UInt64(c) << UInt64(8 * (i - 8)) }
            }
            let packed = PackedBytes(bytes, lowercasingASCII: lower)!
            if packed.low != low || packed.high != high || packed.count != n {
                Issue.record("\(bytes) lowercasing \(lower): \(packed)")
                return
            }
        }
    }
    #expect(PackedBytes([UInt8](repeating: 65, count: 17)) == nil)
}

/// Every key is found in its own place, as the index it was given, whatever the number of
/// keys; other byte strings, and keys that differ in length only, are not found.
@Test func packedPlacesFindEveryKeyAndNothingElse() {
    var random = SplitMix64(state: 0x706c_6163)
    #expect(PackedPlaces().index(of: PackedBytes([UInt8]("card".utf8))!) == nil)
    for count in [1, 2, 5, 13, 40, 200] {
        var texts: [[UInt8]] = []
        while texts.count < count {
            let t = (0..<(1 + random.below(16))).map { _ in UInt8(97 + random.below(6)) }
            if !texts.contains(t) { texts.append(t) }
        }
        let places = PackedPlaces(texts.map { PackedBytes($0) } + [nil])
        for (k, t) in texts.enumerated() { #expect(places.index(of: PackedBytes(t)!) == k) }
        for _ in 0..<2_000 {
            let t = (0..<random.below(17)).map { _ in UInt8(97 + random.below(6)) }
            if !texts.contains(t) { #expect(places.index(of: PackedBytes(t)!) == nil, "\(t)") }
        }
        let twice = PackedPlaces(texts.map { PackedBytes($0) } + texts.map { PackedBytes($0) })
        #expect(texts.indices.allSatisfy { twice.index(of: PackedBytes(texts[$0])!) == $0 }, "a key given twice is found as its first")
        let zeros = PackedBytes([UInt8](repeating: 0, count: 3))!
        #expect(places.index(of: zeros) == nil && places.index(of: PackedBytes()) == nil)
    }
}
