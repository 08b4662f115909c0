import Testing
import TierwiseIO
import TierwiseTestSupport

/// A record and its fields as the reader sees them, to compare across buffer sizes.
struct ReadRecord: Equatable {
    var line: Int
    var fields: [String]
    var unterminated: Bool
}

func readAll(_ stream: ByteStream, options: CSVOptions = CSVOptions()) throws -> [ReadRecord] {
    let chunker = RecordChunker(stream: stream, path: "test.csv", options: options)
    let parser = CSVFieldParser(delimiter: options.delimiter)
    var out: [ReadRecord] = []
    while let chunk = try chunker.next() {
        for r in 0..<chunk.count {
            let outcome = chunk.withRecord(r) { parser.parse($0) }
            let fields = outcome == .ok ? (0..<parser.fieldCount).map(parser.string) : ["<\(outcome)>"]
            out.append(ReadRecord(line: chunk.lines[r], fields: fields, unterminated: chunk.lastRecordUnterminated && r == chunk.count - 1))
        }
    }
    return out
}

/// Every tricky byte sequence a bank export has sent us, in one file.
let tricky: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((
    "customer_id,booked_at,amount,note\r\n"
    + "C1,2026-01-02,-12.50,\"comma, inside\"\r\n"
    + "C2,2026-01-03,7.00,\"a \"\"quote\"\" inside\"\r\n"
    + "C3,2026-01-04,1.00,\"line\r\nbreak inside\"\r\n"
    + "\r\n"
    + "C4,2026-01-05,2.00,\"lone\rcr\"\r\n"
    + "C5,2026-01-06,3.00,plain\n"
    + "C6,2026-01-07,4.00,\"ünïcödé €\"\r\n"
    + "C7,2026-01-08,5.00,last without newline"
).utf8)

@Test func trickyFileReadsAsExpected() throws {
    let records = try readAll(MemoryStream(tricky))
    try #require(records.count == 8)
    #expect(records.count == 8)
    #expect(records[0].fields == ["customer_id", "booked_at", "amount", "note"])
    #expect(records[1].fields[3] == "comma, inside")
    #expect(records[2].fields[3] == "a \"quote\" inside")
    #expect(records[3].fields[3] == "line\r\nbreak inside")
    #expect(records[4].fields[3] == "lone\rcr")
    #expect(records[4].line == 7)
    #expect(records[6].fields[3] == "ünïcödé €")
    #expect(records[7].fields == ["C7", "2026-01-08", "5.00", "last without newline"])
    #expect(records.map(\.line) == [1, 2, 3, 4, 7, 8, 9, 10])
}

@Test(arguments: [1, 2, 3, 5, 7, 16, 64, 4096])
func sameRecordsForEveryReadSize(block: Int) throws {
    let reference = try readAll(MemoryStream(tricky))
    let options = CSVOptions(chunkBytes: 8, readBlockBytes: block)
    #expect(try readAll(MemoryStream(tricky, maxBlock: block), options: options) == reference)
}

@Test(arguments: [1, 2, 3, 13, 1000])
func zstdFramesSplitAcrossReads(block: Int) throws {
    // Two frames back to back, as pzstd writes.
    let half = tricky.count / 2
    let compressed = try TestSupport.zstd(Array(tricky[..<half])) + TestSupport.zstd(Array(tricky[half...]))
    let decoder = try ZstdDecoder(source: MemoryStream(compressed, maxBlock: block), path: "t.zst")
    #expect(try readAll(decoder, options: CSVOptions(chunkBytes: 16, readBlockBytes: 7)) == readAll(MemoryStream(tricky)))
}

@Test(arguments: [1, 4, 99])
func gzipMembersSplitAcrossReads(block: Int) throws {
    let half = tricky.count / 3
    let compressed = try TestSupport.gzip(Array(tricky[..<half])) + TestSupport.gzip(Array(tricky[half...]))
    let decoder = try GzipDecoder(source: MemoryStream(compressed, maxBlock: block), path: "t.gz")
    #expect(try readAll(decoder, options: CSVOptions(chunkBytes: 16, readBlockBytes: 5)) == readAll(MemoryStream(tricky)))
}

@Test func unterminatedQuoteAtEndIsFlagged() throws {
    let records = try readAll(MemoryStream(Array("a,b\n1,\"open at the end".utf8)))
    #expect(records.count == 2)
    #expect(records[1].unterminated)
}

/// A quote that never closes and swallows later lines makes the file unreadable: the
/// swallowed lines cannot be counted as records, so they would be lost silently.
@Test func unterminatedQuoteSwallowingLinesStopsTheFile() throws {
    do {
        _ = try readAll(MemoryStream(Array("a,b\n1,\"open\n2,3\n4,5\n".utf8)))
        Issue.record("expected an error")
    } catch let e as IOError {
        #expect(e.kind == .malformedFile)
        #expect(e.line == 2)
    }
}

/// libcsv skips a tab before an opening quote, so the chunker must too (a tab is a blank
/// unless it is the delimiter); after a closing quote and a blank, a quote is not an escape.
@Test func blanksAroundQuotesAgreeWithLibcsv() throws {
    let records = try readAll(MemoryStream(Array("a,b\n1,\t\"x\ny\"\n2, \"q\" \"\n3,4\n".utf8)))
    #expect(records.map(\.line) == [1, 2, 4, 5])
    #expect(records[1].fields == ["1", "x\ny"])
    #expect(records[2].fields == ["<badQuoting>"])
    #expect(records[3].fields == ["3", "4"])
}

@Test func runawayQuoteStopsAtTheRecordLimit() throws {
    var text = "a,b\n1,\"never closed"
    text += String(repeating: "x,y\n", count: 1000)
    #expect(throws: IOError.self) {
        _ = try readAll(MemoryStream(Array(text.utf8)), options: CSVOptions(maxRecordBytes: 1024))
    }
}

@Test func semicolonAndTabDelimiters() throws {
    let semi = try readAll(MemoryStream(Array("a;b\n\"x;y\";2\n".utf8)), options: CSVOptions(delimiter: UInt8(ascii: ";")))
    #expect(semi[1].fields == ["x;y", "2"])
    let tab = try readAll(MemoryStream(Array("a\tb\n x \t2\n".utf8)), options: CSVOptions(delimiter: 9))
    #expect(tab[1].fields == ["x", "2"])
}

@Test func badQuotingIsReportedPerRecord() throws {
    let records = try readAll(MemoryStream(Array("a,b\nx\"y,1\n\"ok\",2\n".utf8)))
    #expect(records[1].fields == ["<badQuoting>"])
    #expect(records[2].fields == ["ok", "2"])
}

@Test func invalidUTF8NamesTheLine() throws {
    let bytes = Array("a,b\n1,2\n3,".utf8) + [0xC3, 0x28] + Array("\n".utf8)
    do {
        _ = try readAll(MemoryStream(bytes))
        Issue.record("expected an error")
    } catch let e as IOError {
        #expect(e.kind == .notUTF8)
        #expect(e.line == 3)
    }
}

/// Quote-free, LF-only text takes the memchr fast path; it must cut records the same way,
/// including when a later block brings the first quote.
@Test(arguments: [1, 3, 8, 50, 4096])
func fastPathGivesTheSameRecords(block: Int) throws {
    var text = "a,b,c\n"
    for k in 0..<300 { text += "C\(k),2026-01-\(10 + k % 20),-\(k).5\n" + (k % 50 == 49 ? "\n" : "") }
    text += "X,\"quoted, late\",1\nY,2,3"
    let bytes = Array(text.utf8)
    let reference = try readAll(MemoryStream(bytes))
    #expect(reference.count == 303)
    #expect(reference[302].fields == ["Y", "2", "3"])
    #expect(reference[301].fields[1] == "quoted, late")
    #expect(reference[301].line == 308)   // 1 header + 300 records + 6 blank lines before it
    #expect(try readAll(MemoryStream(bytes, maxBlock: block), options: CSVOptions(chunkBytes: 64, readBlockBytes: block)) == reference)
}

/// Quoted fields here and there among plain records: after each quoted record the reader
/// takes its 16-byte path again. Every record, field and line number must be the one the
/// text was made from, whatever the read size, with LF and with CR LF line ends.
@Test(arguments: [(1, "\n"), (7, "\n"), (64, "\n"), (4096, "\n"), (5, "\r\n"), (4096, "\r\n")])
func quotedFieldsAmongPlainRecords(block: Int, newline: String) throws {
    var random = SplitMix64(state: UInt64(block))
    var text = "id,note,amount\(newline)"
    var expected = [ReadRecord(line: 1, fields: ["id", "note", "amount"], unterminated: false)]
    var line = 2
    for k in 0..<1_500 {
        var note = "plain\(k)", written = note, breaks = 0
        switch random.below(8) {
        case 0: note = "comma, \(k)"; written = "\"\(note)\""
        case 1: note = "say \"\(k)\""; written = "\"say \"\"\(k)\"\"\""
        case 2: note = "two\nlines \(k)"; written = "\"\(note)\""; breaks = 1
        default: break
        }
        text += "C\(k),\(written),\(k).25\(newline)"
        expected.append(ReadRecord(line: line, fields: ["C\(k)", note, "\(k).25"], unterminated: false))
        line += 1 + breaks
        if random.below(20) == 0 { text += newline; line += 1 }
    }
    let bytes = Array(text.utf8)
    #expect(try readAll(MemoryStream(bytes, maxBlock: block), options: CSVOptions(chunkBytes: 256, readBlockBytes: block)) == expected)
    #expect(try readAll(MemoryStream(bytes)) == expected)
}
