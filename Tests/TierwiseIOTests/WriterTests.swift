import Foundation
import Testing
import TierwiseIO
import TierwiseTestSupport

@Test func sha256KnownVectors() {
    #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    var streamed = SHA256()
    let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    for start in stride(from: 0, to: million.count, by: 777) { streamed.update(million[start..<min(million.count, start + 777)]) }
    #expect(streamed.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

@Test func csvWriterQuotesAndEscapesFormulas() throws {
    let memory = MemorySink()
    let w = try CSVWriter(sink: memory, path: "x.csv", header: ["a", "b"])
    for text in ["=SUM(A1)", "+1", "-2", "@x", "\tx", "plain", "with, comma", "quote \" here", "line\nbreak"] {
        w.text(text)
        w.number("-1.50")
        try w.endRow()
    }
    _ = try w.finish()
    let rows = TestSupport.csv(String(decoding: memory.bytes, as: UTF8.self))
    #expect(rows.map { $0[0] } == ["a", "'=SUM(A1)", "'+1", "'-2", "'@x", "'\tx", "plain", "with, comma", "quote \" here", "line\nbreak"])
    #expect(rows.dropFirst().allSatisfy { $0[1] == "-1.50" })
    #expect(w.rows == 9)
}

/// The bytes of a work table with these columns, written as stages write them.
private func workTableBytes(_ columns: [(String, WorkTable.Column)]) throws -> [UInt8] {
    let path = TestSupport.temporaryFolder("worktable") + "/t.twk"
    var t = try WorkTable(streamingTo: path)
    for (name, column) in columns { t.put(name, column) }
    try t.finish()
    return TestSupport.readBytes(path)
}

private func decodeWorkTable(_ bytes: [UInt8], maxBlock: Int = .max) throws -> WorkTable {
    try WorkTable(reading: MemoryStream(bytes, maxBlock: maxBlock), size: bytes.count, path: "x")
}

@Test func workTableRoundTrip() throws {
    let bytes = try workTableBytes([("i32", .int32([1, -2, Int32.max])), ("s", .string(["", "ü", "a,b"])), ("d", .double([0.5, .nan, -1e300]))])
    let back = try decodeWorkTable(bytes)
    #expect(try back.int32("i32") == [1, -2, Int32.max])
    #expect(try back.string("s") == ["", "ü", "a,b"])
    let d = try back.double("d")
    #expect(d[0] == 0.5 && d[1].isNaN && d[2] == -1e300)
    #expect(throws: IOError.self) { _ = try decodeWorkTable(Array(bytes.prefix(20))) }
}

/// Reading goes through a 64 KB buffer: columns and strings larger than it, or split across
/// its refills at any point, must come back whole, and a file cut anywhere must be an error.
@Test func workTableReadsColumnsAcrossBufferBoundaries() throws {
    let numbers = (0..<50_000).map { Int64($0) &* 7_919 - 1_000_000 }
    let strings = (0..<20_000).map { $0 % 101 == 0 ? String(repeating: "x", count: 70_000 + $0) : "s\($0)-ü" }
    let bytes = try workTableBytes([("n", .int64(numbers)), ("s", .string(strings)), ("u", .uint8([1, 2, 3]))])
    for block in [1, 997, 65_536, Int.max] {
        let back = try decodeWorkTable(bytes, maxBlock: block)
        #expect(try back.int64("n") == numbers)
        #expect(try back.string("s") == strings)
        #expect(try back.uint8("u") == [1, 2, 3])
    }
    for cut in [5, 100, bytes.count / 2, bytes.count - 1] {
        #expect(throws: IOError.self) { _ = try decodeWorkTable(Array(bytes.prefix(cut))) }
    }
}

/// A column of strings put from a function of the row gives the bytes of one put from an array.
@Test func workTableStringsPutByRowMatchAnArray() throws {
    let strings = (0..<30_000).map { $0 % 997 == 0 ? String(repeating: "é", count: 40_000) : ($0 % 3 == 0 ? "" : "m\($0 % 250)") }
    let path = TestSupport.temporaryFolder("worktable") + "/rows.twk"
    var t = try WorkTable(streamingTo: path)
    t.putStrings("s", count: strings.count) { strings[$0] }
    try t.finish()
    #expect(TestSupport.readBytes(path) == (try workTableBytes([("s", .string(strings))])))
}

/// Columns filled a block of rows at a time and written where they lie in the file give the
/// same bytes as one `put` per column, around the block size (8192 rows) and with nothing
/// before, between or after them; a table read back takes them the same way.
@Test(arguments: [0, 1, 8_191, 8_192, 8_193, 20_000])
func workTableColumnsFilledByBlocksMatchPuts(count: Int) throws {
    let a = (0..<count).map { Int32($0) &* 7_919 - 500 }
    let b = (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    let c = (0..<count).map { Int64($0) &* 1_000_003 - Int64(count) }
    let d = (0..<count).map { $0 % 7 == 0 ? Double.nan : Double($0) / 3 }
    let e = (0..<count).map { Int8(truncatingIfNeeded: $0) }
    let types: [(name: String, type: WorkTable.FixedType)] = [("a", .int32), ("b", .uint8), ("c", .int64), ("d", .double), ("e", .int8)]
    func fill(_ rows: Range<Int>, _ out: [UnsafeMutableRawPointer]) {
        for (j, i) in rows.enumerated() {
            out[0].assumingMemoryBound(to: Int32.self)[j] = a[i]
            out[1].assumingMemoryBound(to: UInt8.self)[j] = b[i]
            out[2].assumingMemoryBound(to: Int64.self)[j] = c[i]
            out[3].assumingMemoryBound(to: Double.self)[j] = d[i]
            out[4].assumingMemoryBound(to: Int8.self)[j] = e[i]
        }
    }
    let expected = try workTableBytes([("first", .string(["x", "y"])), ("a", .int32(a)), ("b", .uint8(b)), ("c", .int64(c)), ("d", .double(d)),
                                       ("e", .int8(e)), ("last", .int32([7]))])
    let path = TestSupport.temporaryFolder("worktable") + "/t.twk"
    var t = try WorkTable(streamingTo: path)
    t.put("first", .string(["x", "y"]))
    t.putColumns(types, count: count, fill: fill)
    t.put("last", .int32([7]))
    try t.finish()
    #expect(TestSupport.readBytes(path) == expected)

    var read = try decodeWorkTable(try workTableBytes([("first", .string(["x", "y"]))]))
    read.putColumns(types, count: count, fill: fill)
    #expect(read.names == ["first", "a", "b", "c", "d", "e"])
    #expect(try read.int32("a") == a && read.uint8("b") == b && read.int64("c") == c && read.int8("e") == e)
    #expect(try read.double("d").map(\.bitPattern) == d.map(\.bitPattern))
}

@Test func outputFolderAppearsWholeAndReplacesAtomically() throws {
    let root = TestSupport.temporaryFolder()
    let first = try OutputFolder(root: root, name: "2026-01-01")
    TestSupport.write(try first.path("a.csv"), "one")
    try first.publish()
    #expect(TestSupport.read(root + "/2026-01-01/a.csv") == "one")
    let second = try OutputFolder(root: root, name: "2026-01-01")
    TestSupport.write(try second.path("a.csv"), "two")
    #expect(TestSupport.read(root + "/2026-01-01/a.csv") == "one")
    try second.publish()
    #expect(TestSupport.read(root + "/2026-01-01/a.csv") == "two")
    #expect(FileSystem.exists(root + "/2026-01-01/_SUCCESS"))
    #expect(OutputFolder.leftovers(in: root).isEmpty)
    let third = try OutputFolder(root: root, name: "2026-01-01")
    third.abandon()
    #expect(TestSupport.read(root + "/2026-01-01/a.csv") == "two")
}

@Test func runLockRefusesASecondHolderAndIsReleased() throws {
    let root = TestSupport.temporaryFolder()
    let lock = try RunLock(directory: root, startedAt: "now")
    #expect(throws: RunLock.Held.self) { _ = try RunLock(directory: root, startedAt: "later") }
    lock.release()
    let again = try RunLock(directory: root, startedAt: "later")
    again.release()
}

@Test func symlinkedOutputRootIsFollowedButALinkedRunFolderIsRefused() throws {
    let base = TestSupport.temporaryFolder()
    try FileManager.default.createDirectory(atPath: base + "/volume", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: base + "/out", withDestinationPath: base + "/volume")
    let folder = try OutputFolder(root: base + "/out", name: "2026-01-01")
    TestSupport.write(try folder.path("a.csv"), "x")
    try folder.publish()
    #expect(TestSupport.read(base + "/volume/2026-01-01/a.csv") == "x")
    try FileManager.default.createDirectory(atPath: base + "/elsewhere", withIntermediateDirectories: true)
    try FileManager.default.createSymbolicLink(atPath: base + "/volume/2026-02-01", withDestinationPath: base + "/elsewhere")
    #expect(throws: IOError.self) { _ = try OutputFolder(root: base + "/out", name: "2026-02-01") }
}

@Test func anInputThatChangesWhileReadIsDetected() throws {
    let folder = TestSupport.temporaryFolder()
    TestSupport.write(folder + "/t.csv", "a,b\n1,2\n")
    let stream = try FileStream(path: folder + "/t.csv")
    try stream.checkUnchanged()
    let handle = FileHandle(forWritingAtPath: folder + "/t.csv")!
    handle.seekToEndOfFile()
    handle.write(Data("3,4\n".utf8))
    try handle.close()
    #expect(throws: IOError.self) { try stream.checkUnchanged() }
}

@Test func outputFilesAndFoldersGetTheConfiguredModes() throws {
    let root = TestSupport.temporaryFolder()
    let folder = try OutputFolder(root: root, name: "2026-01-01", fileMode: 0o600, folderMode: 0o700)
    let sink = try FileSink(path: try folder.path("x.csv"), mode: 0o600)
    try sink.write("a\n")
    try sink.finish()
    try folder.publish()
    let file = try FileManager.default.attributesOfItem(atPath: root + "/2026-01-01/x.csv")[.posixPermissions] as? Int
    let dir = try FileManager.default.attributesOfItem(atPath: root + "/2026-01-01")[.posixPermissions] as? Int
    #expect(file == 0o600)
    #expect(dir == 0o700)
    let defaults = try FileSink(path: root + "/d.csv")
    try defaults.finish()
    #expect(try FileManager.default.attributesOfItem(atPath: root + "/d.csv")[.posixPermissions] as? Int == 0o640)
}

/// Numbers are written digit by digit; they must read as `String(format:)` would write them.
@Test func csvWriterNumbersMatchPrintf() throws {
    let memory = MemorySink()
    let w = try CSVWriter(sink: memory, path: "x.csv", header: ["n"])
    let values: [Double] = [0, 0.05, -0.05, 1.005, 12.5, -12.345678, 1e-7, 123_456_789.987654, -0.0001, 7]
    for v in values {
        w.fixed(v, places: 4); w.fixed(v, places: 0); w.integer(Int64(v * 1000)); w.decimal(Int64(v * 10_000))
        try w.endRow()
    }
    _ = try w.finish()
    let rows = TestSupport.csv(String(decoding: memory.bytes, as: UTF8.self)).dropFirst()
    for (v, row) in zip(values, rows) {
        #expect(row[0] == String(format: "%.4f", (v * 10_000).rounded() / 10_000).replacingOccurrences(of: "-0.0000", with: "0.0000"))
        #expect(row[1] == String(format: "%.0f", v.rounded()).replacingOccurrences(of: "-0", with: "0"))
        #expect(row[2] == String(Int64(v * 1000)))
    }
}

/// The digits of a number are counted from its bits and one compare with a power of ten:
/// every count of digits, at both of its edges, must come out as `String` writes it.
@Test func csvWriterIntegersAtEveryNumberOfDigits() throws {
    var values: [Int64] = [0, .max, .min, .min + 1]
    var power: Int64 = 1
    for _ in 0...18 {
        values += [power - 1, power, power + 1, -(power - 1), -power]
        if power <= Int64.max / 10 { power *= 10 }
    }
    let memory = MemorySink()
    let w = try CSVWriter(sink: memory, path: "x.csv", header: ["n", "m"])
    for v in values {
        w.integer(v); w.decimal(v, scaleDigits: 4, places: 4)
        try w.endRow()
    }
    _ = try w.finish()
    let rows = Array(TestSupport.csv(String(decoding: memory.bytes, as: UTF8.self)).dropFirst())
    #expect(rows.count == values.count)
    for (v, row) in zip(values, rows) {
        #expect(row[0] == String(v))
        let digits = String(v.magnitude), padded = String(repeating: "0", count: max(0, 5 - digits.count)) + digits
        #expect(row[1] == (v < 0 ? "-" : "") + padded.dropLast(4) + "." + padded.suffix(4))
    }
}

/// Cells escaped once (`CSVTextCells`) are written exactly as `text` writes the same values:
/// quoted, doubled quotes, formula marks, empty.
@Test func csvTextCellsWriteAsText() throws {
    let values = ["", "A", "monthly", "DORMANT|LOW_P_ALIVE", "a,b", "say \"hi\"", "=SUM(A1)", "-5", "line\nbreak", "über", "+", "@x"]
    let cells = CSVTextCells(values)
    #expect(cells.count == values.count)
    let byText = MemorySink(), byCell = MemorySink()
    let a = try CSVWriter(sink: byText, path: "a.csv", header: ["v"]), b = try CSVWriter(sink: byCell, path: "b.csv", header: ["v"])
    for k in [3, 0, 11, 4, 5, 1, 6, 7, 8, 9, 10, 2, 4] {
        a.text(values[k]); a.integer(Int64(k)); try a.endRow()
        b.text(cells, k); b.integer(Int64(k)); try b.endRow()
    }
    #expect(try a.finish() == (try b.finish()))
    #expect(byText.bytes == byCell.bytes)
    #expect(String(decoding: byCell.bytes, as: UTF8.self).contains("\"say \"\"hi\"\"\""))
}

/// The writer formats into memory it grows itself, with a divisor per number of places:
/// every kind of cell, drawn at random and with the extremes, must read as a plain reference
/// formatting of the same value, in a file and in fragments, with cells longer than the
/// writer's buffer among them.
@Test func csvWriterMatchesAReferenceOnDrawnCells() throws {
    func digits(_ magnitude: UInt64, places: Int) -> String {
        var s = String(magnitude)
        guard places > 0 else { return s }
        if s.count <= places { s = String(repeating: "0", count: places - s.count + 1) + s }
        s.insert(".", at: s.index(s.endIndex, offsetBy: -places))
        return s
    }
    func quoted(_ text: String) -> String {
        let mark = ["=", "+", "-", "@", "\t", "\r"].contains(where: text.hasPrefix) ? "'" : ""
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return mark + text }
        return "\"" + mark + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    var random = SplitMix64(state: 77)
    let alphabet = Array("ab,\"\n=+-@ üé0123456789")
    var cells: [[(write: (CSVWriter) -> Void, expected: String)]] = []
    for row in 0..<4_000 {
        var r: [(write: (CSVWriter) -> Void, expected: String)] = []
        let extremes: [Int64] = [.min, .max, 0, -1, 1, 9, 10, 99, 100, -100]
        let i = row < extremes.count ? extremes[row] : Int64(bitPattern: random.next()) >> random.below(63)
        r.append(({ $0.integer(i) }, String(i)))
        let places = random.below(5)
        let divisor = (0..<(4 - places)).reduce(UInt64(1)) { p, _ in p * 10 }
        let q = i.magnitude / divisor + (i.magnitude % divisor * 2 >= divisor && divisor > 1 ? 1 : 0)
        r.append(({ $0.decimal(i, scaleDigits: 4, places: places) }, (i < 0 && q > 0 ? "-" : "") + digits(q, places: places)))
        let fixedPlaces = random.below(9)
        let d = (Double(random.below(2_000_001)) - 1_000_000) / Double(1 + random.below(100_000))
        let scaled = UInt64((d.magnitude * (0..<fixedPlaces).reduce(1.0) { p, _ in p * 10 }).rounded())
        r.append(({ $0.fixed(d, places: fixedPlaces) }, (d < 0 && scaled > 0 ? "-" : "") + digits(scaled, places: fixedPlaces)))
        let length = row % 997 == 5 ? 150_000 + random.below(100_000) : random.below(40)
        let text = String((0..<length).map { _ in alphabet[random.below(alphabet.count)] })
        r.append(({ $0.text(text) }, quoted(text)))
        r.append(({ $0.empty() }, ""))
        cells.append(r)
    }
    let expected = "a,b,c,d,e\n" + cells.map { $0.map(\.expected).joined(separator: ",") + "\n" }.joined()
    let whole = MemorySink(), pieces = MemorySink()
    let a = try CSVWriter(sink: whole, path: "a.csv", header: ["a", "b", "c", "d", "e"])
    for r in cells { for c in r { c.write(a) }; try a.endRow() }
    let hash = try a.finish()
    #expect(String(decoding: whole.bytes, as: UTF8.self) == expected)
    #expect(hash == SHA256.hex(Array(expected.utf8)))
    let b = try CSVWriter(sink: pieces, path: "b.csv", header: ["a", "b", "c", "d", "e"])
    for start in stride(from: 0, to: cells.count, by: 1_500) {
        let f = CSVWriter.fragment()
        for r in cells[start..<min(cells.count, start + 1_500)] { for c in r { c.write(f) }; try f.endRow() }
        try b.append(f.takeFragment())
    }
    #expect(try b.finish() == hash)
    #expect(b.rows == cells.count)
}

/// A file written in fragments, formatted apart and added in order, is the same file with
/// the same hash and row count as one written row by row.
@Test func csvWriterFragmentsMakeTheSameFile() throws {
    func row(_ w: CSVWriter, _ i: Int) throws { w.text("c\(i)"); w.fixed(Double(i) / 7, places: 6); w.decimal(Int64(i * 12_345)); try w.endRow() }
    let whole = MemorySink(), pieces = MemorySink()
    let a = try CSVWriter(sink: whole, path: "a.csv", header: ["id", "x", "m"])
    for i in 0..<10_000 { try row(a, i) }
    let hashA = try a.finish()
    let b = try CSVWriter(sink: pieces, path: "b.csv", header: ["id", "x", "m"])
    for start in stride(from: 0, to: 10_000, by: 3_333) {
        let f = CSVWriter.fragment()
        for i in start..<min(10_000, start + 3_333) { try row(f, i) }
        try b.append(f.takeFragment())
    }
    #expect(try b.finish() == hashA)
    #expect(pieces.bytes == whole.bytes)
    #expect(b.rows == 10_000)
}

/// Work handed to BackgroundSync runs in order on its thread; a failure is kept and thrown by
/// `wait()`, which is what makes the run fail when a table saved in the background is lost.
@Test func backgroundWorkRunsInOrderAndKeepsItsFailure() throws {
    final class Log: @unchecked Sendable { var entries: [Int] = [] }
    let sync = BackgroundSync(), log = Log()
    sync.perform { log.entries.append(1) }
    sync.perform { throw IOError(.cannotWrite, path: "features.twk", message: "no space left on device") }
    sync.perform { log.entries.append(3) }
    #expect(throws: IOError.self) { try sync.wait() }
    #expect(log.entries == [1, 3])
    let fine = BackgroundSync()
    fine.perform { log.entries.append(4) }
    try fine.wait()
    #expect(log.entries == [1, 3, 4])
}

/// Pieces of every length up to 40 appended after every other, across the buffer's growth:
/// the bytes are those of the pieces one after another (the short ones go as two words).
@Test func byteBufferAppendsPiecesOfEveryLength() {
    var random = SplitMix64(state: 0x6275_6666)
    var buffer = ByteBuffer(capacity: 16)
    var expected: [UInt8] = []
    for _ in 0..<3 {
        for n in 0...40 {
            let piece = random.bytes(n)
            piece.withUnsafeBytes { buffer.append($0) }
            expected += piece
        }
    }
    #expect(Array(buffer.bytes) == expected)
}
