import Foundation
import Testing
import TierwiseAnalytics
import TierwiseTestSupport

@Test(arguments: [
    ("12.50", Money.ParseResult.value(125_000)), ("-0.01", .value(-100)), ("+3", .value(30_000)), ("1.2345", .value(12_345)),
    ("1.23450", .value(12_345)), ("0", .value(0)), ("", .empty), ("12,50", .badFormat), ("1.2.3", .badFormat), ("abc", .badFormat),
    ("-", .badFormat), (".", .badFormat), ("1.23456", .tooPrecise), ("1e5", .badFormat), (" 1", .badFormat),
    ("100000000000", .value(1_000_000_000_000_000)), ("-100000000000.0000", .value(-1_000_000_000_000_000)), ("100000000001", .overflow), ("99999999999999999999999", .overflow),
    ("9999999999999999x", .overflow), ("1000000000000000", .overflow), ("00000000000000000001.5", .value(15_000)), ("1000000000000x", .badFormat),
])
func moneyParsing(text: String, expected: Money.ParseResult) {
    #expect(Money.parse(text) == expected)
}

/// The parser as it was written first, one loop over the bytes, for `moneyParsingAgreesWithTheOneLoopParser`.
private func oneLoopMoneyParse(_ b: [UInt8]) -> Money.ParseResult {
    let n = b.count
    if n == 0 { return .empty }
    var i = 0, negative = false
    if b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+") { negative = b[0] == UInt8(ascii: "-"); i = 1 }
    var value: Int64 = 0, digits = 0, decimals = -1
    while i < n {
        let c = b[i]
        if c >= 48 && c <= 57 {
            if decimals >= 0 {
                decimals += 1
                if decimals > 4 {
                    if c != 48 { return .tooPrecise }
                    i += 1
                    continue
                }
            }
            value = value * 10 + Int64(c - 48)
            if value > Money.maxMagnitude { return .overflow }
            digits += 1
        } else if c == UInt8(ascii: ".") && decimals < 0 {
            decimals = 0
        } else {
            return .badFormat
        }
        i += 1
    }
    if digits == 0 { return .badFormat }
    for _ in min(max(decimals, 0), 4)..<4 {
        if value > Money.maxMagnitude / 10 { return .overflow }
        value *= 10
    }
    if value > Money.maxMagnitude { return .overflow }
    return .value(negative ? -value : value)
}

/// The two-loop parser against the one-loop one on 300,000 texts: amounts as banks write
/// them, and texts of digits, points, signs and other bytes in any order, up to 24 long.
@Test func moneyParsingAgreesWithTheOneLoopParser() {
    var random = SplitMix64(state: 0x6d6f_6e65)
    let alphabet = Array("0123456789000.-+x ".utf8)
    for k in 0..<300_000 {
        var text: [UInt8]
        if k % 2 == 0 {
            text = Array("\(random.below(3) == 0 ? "-" : "")\(random.below(1_000_000)).\(random.below(100))".utf8)
        } else {
            text = (0..<random.below(25)).map { _ in alphabet[random.below(alphabet.count)] }
        }
        let got = text.withUnsafeBytes { Money.parse($0) }
        if got != oneLoopMoneyParse(text) {
            Issue.record("\(String(decoding: text, as: UTF8.self)): \(got), one loop \(oneLoopMoneyParse(text))")
            return
        }
    }
}

@Test func moneyFormatting() {
    #expect(Money.format(125_000) == "12.50")
    #expect(Money.format(-100) == "-0.01")
    #expect(Money.format(12_345) == "1.23")
    #expect(Money.format(12_350) == "1.24")
    #expect(Money.format(-12_350) == "-1.24")
    #expect(Money.format(-49) == "0.00")
    #expect(Money.format(12_345, decimals: 4) == "1.2345")
    #expect(Money.format(1_000_000_000_000_000, decimals: 0) == "100000000000")
}

@Test func currencyConversionIsExactAndRoundsHalfEven() {
    #expect(Money.convert(10_000, rateE8: 92_000_000) == 9_200)
    #expect(Money.convert(1, rateE8: 50_000_000) == 0)    // 0.5 → 0 (even)
    #expect(Money.convert(3, rateE8: 50_000_000) == 2)    // 1.5 → 2
    #expect(Money.convert(-3, rateE8: 50_000_000) == -2)
}

@Test(arguments: [
    ("2026-10-31", "2026-10-31", 0), ("2024-02-29", "2024-02-29", 0), ("2026-10-31T23:30:00Z", "2026-10-31", 0),
    ("2026-10-31T23:30:00Z", "2026-11-01", 3600), ("2026-10-31T00:30:00+02:00", "2026-10-30", 0),
    ("2026-10-31 12:00", "2026-10-31", 0), ("2026-10-31T12:00:00.123-05:00", "2026-10-31", 0),
])
func dayParsing(text: String, expected: String, offset: Int) {
    var t = text
    let result = t.withUTF8 { DayParser.parse(UnsafeRawBufferPointer($0), utcOffsetSeconds: offset) }
    #expect(result == .day(Day(expected)!))
}

@Test(arguments: [("2026-02-30", DayParser.Result.notADate), ("2026-13-01", .notADate), ("31/10/2026", .badFormat),
                  ("2026-10-31T25:00", .badFormat), ("20261031", .badFormat), ("2026-01-05T10:00+05:", .badFormat), ("", .empty), ("2026-10-31X", .badFormat)])
func badDates(text: String, expected: DayParser.Result) {
    var t = text
    #expect(t.withUTF8 { DayParser.parse(UnsafeRawBufferPointer($0), utcOffsetSeconds: 0) } == expected)
}

@Test func dayArithmeticRoundTrips() {
    for n in stride(from: -25_567, to: 84_000, by: 7) {   // 1900 to 2199, the range the parser accepts
        let d = Day(number: Int32(n))
        #expect(Day(d.description) == d)
    }
    #expect(Day("2026-10-31")!.number == 20_757)
}

@Test func internerFindsWhatItInserted() {
    var interner = IdInterner(capacity: 4)
    for i in 0..<10_000 { #expect(interner.intern("C\(i)") == Int32(i)) }
    for i in stride(from: 0, to: 10_000, by: 37) { #expect(interner.find("C\(i)") == Int32(i)) }
    #expect(interner.find("C10000") == nil)
    #expect(interner.id(42) == "C42")
}

@Test func internerDenseAndSparseNumericIdsAndOtherShapes() {
    var interner = IdInterner(capacity: 16)
    var ids: [String] = []
    var state: UInt64 = 99
    for k in 0..<30_000 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        switch k % 5 {
        case 0: ids.append("C" + String(format: "%08d", k))                          // dense, the dominant shape
        case 1: ids.append("C" + String(format: "%08d", Int(state >> 37)))           // sparse numbers, same shape
        case 2: ids.append("C" + String(format: "%07d", k))                          // other width: hash only
        case 3: ids.append("acct-\(state >> 50)-x")                                  // no digits at the end
        default: ids.append("C" + String(format: "%08d", 99_999_999 - k))            // large numbers first seen early
        }
    }
    var expected: [String: Int32] = [:]
    for id in ids {
        let index = interner.intern(id)
        if let seen = expected[id] { #expect(index == seen) } else { expected[id] = index }
    }
    #expect(interner.count == expected.count)
    for (id, index) in expected {
        #expect(interner.find(id) == index)
        #expect(interner.id(index) == id)
    }
    #expect(interner.find("C00000001") == nil || expected["C00000001"] != nil)
    #expect(interner.find("C99999999x") == nil)
}

/// The fast Int128 paths must agree with the standard library's conversions everywhere,
/// including just outside Int64, where they fall back to it.
@Test(arguments: [
    Int128(0), Int128(1), Int128(-1), Int128(Int64.max), Int128(Int64.min), Int128(Int64.max) + 1, Int128(Int64.min) - 1,
    Int128(123_456_789_012_345) * 987_654_321, -Int128(123_456_789_012_345) * 987_654_321, Int128.max, Int128.min,
    Int128(9_007_199_254_740_993), -Int128(9_007_199_254_740_993),
])
func int128FastConversions(value: Int128) {
    #expect(value.nearestDouble == Double(value))
    let (high, low) = value.halves
    #expect(Int128(high: high, low: low) == value)
}

/// Derived money figures round like their formulas and clamp instead of trapping.
@Test func derivedMoneyRoundsAndClamps() {
    #expect(Money.derived(steps: 12.5, step: 100) == 1_300)
    #expect(Money.derived(steps: -12.4, step: 100) == -1_200)
    #expect(Money.derived(steps: .nan, step: 100) == 0)
    let limit = Money.maxDerived / 100 * 100
    #expect(Money.derived(steps: 1e30, step: 100) == limit)
    #expect(Money.derived(steps: -.infinity, step: 100) == -limit)
    // Four clamped parts add up without overflow.
    #expect(!limit.multipliedReportingOverflow(by: 4).overflow)
}

/// Every account stays in memory through ingest: its record must stay one cache line.
@Test func accountStateIsOneCacheLine() {
    #expect(MemoryLayout<AccountState>.stride <= 64)
    var a = AccountState(customer: 1, product: .mortgage, openedOn: nil, closedOn: Day(number: 20_000), balance: -5, interestRate: nil, creditLimit: 0)
    #expect(a.openedOn == nil && a.closedOn == Day(number: 20_000) && a.interestRate == nil && a.creditLimit == 0)
    a.laterMovementWeighted = -Int128(Int64.max) * 3
    a.interestRate = 0.035
    #expect(a.laterMovementWeighted == -Int128(Int64.max) * 3 && a.interestRate == 0.035)
}

/// An id of the dominant shape that came while its number was too far ahead for the dense
/// array is kept in the hash table; once the array has grown past it, the id must still be
/// found under its first index, never given a second one.
@Test func internerFindsAnIdKeptAsideAfterTheDenseArrayGrowsPastIt() {
    var interner = IdInterner(capacity: 16)
    #expect(interner.intern("C00000000") == 0)
    #expect(interner.intern("C00050000") == 1)  // too far ahead of one id: kept in the hash table
    var expected: [String: Int32] = ["C00000000": 0, "C00050000": 1]
    for n in 1...60_000 {
        let id = "C" + String(format: "%08d", n)
        let index = interner.intern(id)
        if let seen = expected[id] { #expect(index == seen) } else { expected[id] = index }
    }
    #expect(interner.count == 60_001)
    #expect(interner.find("C00050000") == 1)
    #expect(interner.id(1) == "C00050000")
    #expect(interner.id(interner.find("C00000007")!) == "C00000007")
    #expect(interner.find("C00060001") == nil)
}

/// Sizing the words to reach the as-of date on the first insert must not change the set,
/// in whatever order the days come.
@Test func dayBitsetSizedToTheAsOfDateHoldsTheSameDays() {
    let asOf = Day("2026-10-31")!
    var state: UInt64 = 7
    var days: [Day] = []
    for _ in 0..<300 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        days.append(asOf - Int(state >> 54))  // up to 1,023 days back
    }
    var sized = DayBitset(), plain = DayBitset(), reversed = DayBitset()
    for d in days { sized.insert(d, last: asOf); plain.insert(d) }
    for d in days.reversed() { reversed.insert(d, last: asOf) }
    let distinct = Set(days.map(\.number)).sorted()
    #expect(sized.days.map(\.number) == distinct)
    #expect(sized.count == distinct.count && reversed.count == distinct.count)
    #expect(sized == plain && sized == reversed)
    #expect(sized.contains(days[0]) && !sized.contains(asOf + 1))
}

/// With every id of the usual shape in the dense array, a number the array covers but does
/// not hold is answered without the hash table: absent for `find`, a new index for `intern`.
@Test func internerAnswersMissesInTheDenseArrayDirectly() {
    var interner = IdInterner(capacity: 16)
    for n in stride(from: 0, to: 3_000, by: 2) { _ = interner.intern("A" + String(format: "%06d", n)) }
    #expect(interner.find("A000001") == nil && interner.find("A002999") == nil)
    #expect(interner.find("A002998") == 1_499)
    #expect(interner.intern("A000001") == 1_500)
    #expect(interner.find("A000001") == 1_500 && interner.id(1_500) == "A000001")
    #expect(interner.intern("A000001") == 1_500 && interner.count == 1_501)
}

/// Rates read without strtod must be the very doubles `Double(String)` gives, on plain
/// decimals and on everything the fast path hands back.
@Test func decimalDoubleMatchesDoubleFromString() {
    var random = SplitMix64(state: 0x7261_7465)
    func next() -> UInt64 { random.next() }
    var texts = ["0.035", "-1.25", "+0.5", "0", "-0", "0.0", "007.50", "1e-3", ".5", "5.", "", "-", "+", "1.2.3", "inf", "nan",
                 "0x1p-3", " 0.1", "0.1 ", "123456789012345", "1234567890123456", "0.1234567890123456789012", "0.00000000000000000000001",
                 "9007199254740993", "0.30000000000000004", "1,5"]
    for _ in 0..<200_000 {
        let integer = String(next() % 1000)
        let places = Int(next() % 25)
        let fraction = String((0..<places).map { _ in Character(String(next() % 10)) })
        let sign = ["", "-", "+"][Int(next() % 3)]
        texts.append(sign + integer + (places > 0 || next() % 4 == 0 ? "." + fraction : ""))
    }
    for text in texts {
        let fast = Array(text.utf8).withUnsafeBytes { DecimalDouble.parse($0) }
        let reference = Double(text)
        if fast?.bitPattern != reference?.bitPattern {
            Issue.record("\(text): \(String(describing: fast)) against \(String(describing: reference))")
            return
        }
    }
}

/// The previous run's ranks (six decimals, as customers.csv writes them) are read from bytes
/// with `DecimalDouble`; each must be the Double that `Double(String)` makes of the same text,
/// the fast path and the others alike.
@Test func previousRunRanksReadAsDoubleDoes() {
    var texts = ["0.000000", "1.000000", "0.500000", "0.123456", "-0.000000", "0.999999", "0.1", "7", "123456789012345",
                 "1234567890123456", "0.1234567890123456789", "1e-3", "", "-", ".5", "5.", "abc", "0.12.3", "nan", "inf", "+1.5", " 1"]
    var random = SplitMix64(state: 9)
    for _ in 0..<2_000 { texts.append(String(format: "%.6f", Double(random.below(1_000_001)) / 1_000_000)) }
    for _ in 0..<500 { texts.append(String(Double(random.below(1 << 40)) / Double(1 + random.below(1 << 20)))) }
    for text in texts {
        let got = Array(text.utf8).withUnsafeBytes { DecimalDouble.parse($0) }
        let want = Double(text)
        #expect(got?.bitPattern == want?.bitPattern, "\(text)")
    }
}
