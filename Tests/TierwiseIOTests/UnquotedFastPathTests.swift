import Testing
@testable import TierwiseIO
import TierwiseTestSupport

/// The hand-split path of `CSVFieldParser.parse` must answer exactly as libcsv does, on every
/// record: same outcome, same field count, same field bytes. Records are drawn from the bytes
/// where the two could differ (delimiters, spaces, tabs, quotes, CR, LF, NUL) for each
/// delimiter a pipeline may set.
@Suite struct UnquotedFastPathTests {
    struct Answer: Equatable {
        var outcome: CSVFieldParser.Outcome
        var fields: [[UInt8]]
        var hasNUL = false
    }

    enum Path { case libcsv, parse, inPlace }

    /// What the parser answers on `record` by `path`; with `inPlace`, the fields are read
    /// while the record's memory is valid, as `parseInPlace` requires.
    static func answer(_ parser: CSVFieldParser, _ record: [UInt8], _ path: Path) -> Answer {
        record.withUnsafeBytes { bytes in
            let outcome: CSVFieldParser.Outcome
            switch path {
            case .libcsv: outcome = parser.parseWithLibcsv(bytes)
            case .parse: outcome = parser.parse(bytes)
            case .inPlace: outcome = parser.parseInPlace(bytes)
            }
            guard outcome == .ok || outcome == .tooManyFields else { return Answer(outcome: outcome, fields: []) }
            let kept = min(parser.fieldCount, 4)
            return Answer(outcome: outcome, fields: (0..<kept).map { Array(parser.field($0)) } + [Array(repeating: 0, count: parser.fieldCount)],
                          hasNUL: parser.recordHasNUL)
        }
    }

    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: " "), UInt8(ascii: "|")])
    func agreesWithLibcsvOnRandomRecords(delimiter: UInt8) {
        let alphabet: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: "7"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "|"),
                                 0x20, 0x09, 0x22, 0x0D, 0x0A, 0]
        let fast = CSVFieldParser(delimiter: delimiter, maxFields: 4)
        let reference = CSVFieldParser(delimiter: delimiter, maxFields: 4)
        var random = SplitMix64(state: UInt64(delimiter))  // deterministic: a failure names a reproducible record
        var unquoted = 0
        for _ in 0..<60_000 {
            let length = Int(random.next() % 31)
            let record = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            if !record.contains(0x22) && !record.contains(0x0D) && !record.contains(0x0A) { unquoted += 1 }
            let expected = Self.answer(reference, record, .libcsv)
            let got = Self.answer(fast, record, .parse)
            #expect(got == expected, "record \(record) with delimiter \(delimiter)")
            #expect(Self.answer(fast, record, .inPlace) == expected, "record \(record) with delimiter \(delimiter), in place")
            if got != expected { return }
            if got.outcome == .ok && got.hasNUL != record.contains(0) {
                Issue.record("record \(record): NUL reported \(got.hasNUL)")
                return
            }
        }
        // The hand-split path was really exercised, not only the fallback.
        #expect(unquoted > 3_000)
    }

    /// Records with nothing to unquote or trim, of every length around the 16-byte steps of
    /// the vector split, by each path: same answer as libcsv, and `parseInPlace` really
    /// leaves the fields in the record.
    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), 9, UInt8(ascii: " ")])
    func splitsPlainRecordsOfEveryLengthLikeLibcsv(delimiter: UInt8) {
        let alphabet: [UInt8] = [UInt8(ascii: "a"), UInt8(ascii: "7"), UInt8(ascii: "-"), UInt8(ascii: "."), delimiter, delimiter]
        let reference = CSVFieldParser(delimiter: delimiter, maxFields: 4)
        let copying = CSVFieldParser(delimiter: delimiter, maxFields: 4)
        let inPlace = CSVFieldParser(delimiter: delimiter, maxFields: 4)
        var random = SplitMix64(state: 7 &+ UInt64(delimiter))
        for length in 1...80 {
            for _ in 0..<200 {
                let record = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
                let expected = Self.answer(reference, record, .libcsv)
                #expect(Self.answer(copying, record, .parse) == expected, "record \(record)")
                #expect(Self.answer(inPlace, record, .inPlace) == expected, "record \(record)")
                let lies = record.withUnsafeBytes { bytes in
                    _ = inPlace.parseInPlace(bytes)
                    let first = inPlace.field(0).baseAddress
                    return inPlace.fieldCount == 0 || (first != nil && first! >= bytes.baseAddress! && first! <= bytes.baseAddress! + length)
                }
                #expect(lies, "record \(record): fields copied")
                if expected.outcome != .ok && expected.outcome != .tooManyFields { Issue.record("record \(record): \(expected.outcome)"); return }
            }
        }
    }

    @Test func splitsAndTrimsLikeLibcsv() {
        let parser = CSVFieldParser()
        func fields(_ text: String) -> [String]? {
            let outcome = Array(text.utf8).withUnsafeBytes { parser.parse($0) }
            return outcome == .ok ? (0..<parser.fieldCount).map(parser.string) : nil
        }
        #expect(fields("T1,A1,C1,2026-01-02,-12.50") == ["T1", "A1", "C1", "2026-01-02", "-12.50"])
        #expect(fields(" a \t, b,c ,,") == ["a", "b", "c", "", ""])
        #expect(fields("   ") == [])
        #expect(fields("x") == ["x"])
        #expect(fields(",") == ["", ""])
        #expect(fields("a,\"b, c\",d") == ["a", "b, c", "d"])
        #expect(fields("a,b\"c") == nil)
    }

    @Test func keepsFieldsOfARecordLongerThanTheArena() {
        let parser = CSVFieldParser()
        let long = String(repeating: "x", count: 10_000)
        let outcome = Array("a,\(long),b".utf8).withUnsafeBytes { parser.parse($0) }
        #expect(outcome == .ok)
        #expect(parser.fieldCount == 3)
        #expect(parser.string(1) == long)
        #expect(parser.string(2) == "b")
    }

    @Test func countsFieldsPastTheLimit() {
        let parser = CSVFieldParser(maxFields: 3)
        let outcome = Array("a,b,c,d,e".utf8).withUnsafeBytes { parser.parse($0) }
        #expect(outcome == .tooManyFields)
        #expect(parser.fieldCount == 5)
    }
}
