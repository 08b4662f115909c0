import Foundation
import Testing
import TierwiseIO
import TierwiseTestSupport

// The bad-input corpus: every folder of Tests/BadInputCorpus/ is one case, run through the
// real binary as
//
//   tierwise run --transactions ... [--accounts ...] [--customers ...] --as-of 2026-10-31
//                --output <tmp> --threads 1
//
// and checked against the folder's expect.json (the format is in Tests/BadInputCorpus/README.md).
// Whatever a case expects, a run must never crash, and a run that succeeds must reconcile:
// rows read = accepted + rejected + after the as-of date, for every input.
//
// Tests/BadInputCorpus/fuzz-regressions/ holds inputs the fuzzer (Fuzz/, scripts/fuzz) kept;
// each goes through the readers in this process and through the binary.

private let corpusRoot = TestSupport.packageRoot + "/Tests/BadInputCorpus"
private let corpusAsOf = "2026-10-31"

/// How a process that died of a signal shows in `TestSupport.run` (the signal number), and
/// how a shell would show it (128 + the signal), and 70, tierwise's own internal error.
private let crashStatuses: Set<Int32> = [4, 5, 6, 7, 8, 11, 70, 132, 133, 134, 135, 136, 139]

private func corpusCases() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusRoot)) ?? []
    return names.filter { FileManager.default.fileExists(atPath: corpusRoot + "/" + $0 + "/expect.json") }.sorted()
}

private func regressionInputs() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: corpusRoot + "/fuzz-regressions")) ?? []
    return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted()
}

/// One case's expect.json.
private struct CorpusExpectation: Decodable {
    var about: String
    var transactions: [String]
    var accounts: String?
    var customers: String?
    /// Good rows inserted after the header of a file, at run time, so that a few bad rows
    /// stay under the default reject threshold of 1 %.
    var pad: [String: Int]?
    var exit: Int32
    /// A part of standard error (the file, the line and what is wrong).
    var stderr: String?
    /// Every reject of the run, counted by reason code; {} for none.
    var rejects: [String: Int]?
    /// "LINE" or "FILE:LINE", as lines of the committed file, to the reason there.
    var reject_lines: [String: String]?
    /// Per input (transactions, accounts, customers), from manifest.json.
    var accepted: [String: Int]?
    var after_as_of: [String: Int]?
    var read: [String: Int]?
    /// A reported bug: the outcome above is today's, not the right one.
    var known_issue: String?
    /// Today's outcome is a crash: the no-crash check is recorded as a known issue.
    var crash_expected: Bool?
}

// MARK: - Building the input files

private extension Array where Element == UInt8 {
    func firstRange(of needle: [UInt8], from start: Int = 0) -> Range<Int>? {
        guard needle.count <= count else { return nil }
        var i = start
        while i + needle.count <= count {
            if self[i] == needle[0] && Array(self[i..<(i + needle.count)]) == needle { return i..<(i + needle.count) }
            i += 1
        }
        return nil
    }
}

/// Expands `{{repeat:N:TEXT}}` (TEXT N times) and `{{rows:N:TEXT}}` (N lines of TEXT, with
/// `{n}` replaced by 0, 1, …), so that large cases are not committed.
private func expandTemplates(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var i = 0
    let open = Array("{{".utf8), close = Array("}}".utf8)
    while let start = bytes.firstRange(of: open, from: i) {
        guard let end = bytes.firstRange(of: close, from: start.upperBound) else { break }
        out += bytes[i..<start.lowerBound]
        let body = String(decoding: bytes[start.upperBound..<end.lowerBound], as: UTF8.self)
        let parts = body.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        precondition(parts.count == 3, "bad template {{\(body)}}")
        let n = Int(parts[1])!
        switch parts[0] {
        case "repeat":
            let text = Array(parts[2].utf8)
            out.reserveCapacity(out.count + n * text.count)
            for _ in 0..<n { out += text }
        case "rows":
            for k in 0..<n { out += Array((parts[2].replacingOccurrences(of: "{n}", with: String(k)) + "\n").utf8) }
        default:
            preconditionFailure("unknown template {{\(body)}}")
        }
        i = end.upperBound
    }
    out += bytes[i...]
    return out
}

/// A good value for a column, for padding rows.
private func goodValue(_ column: String, _ k: Int, hasCustomerColumn: Bool) -> String {
    switch column {
    case "txn_id": return "P\(k)"
    case "customer_id": return "PC\(k)"
    case "account_id": return "PA\(k)"
    case "booked_at": return "2026-0\(1 + k % 9)-1\(k % 10)"
    case "amount": return "-\(k).25"
    case "currency": return "EUR"
    case "type": return "card"
    case "channel": return "pos"
    case "fee": return "0"
    case "onboarded_on", "opened_on": return "2020-01-01"
    case "segment": return "retail"
    case "risk_rating": return "3"
    case "branch": return "B1"
    case "manager_id": return "M1"
    case "product": return "savings"
    case "balance": return "5.00"
    case "interest_rate": return "0.01"
    case "closed_on", "credit_limit": return ""
    default: return "x"
    }
}

/// Inserts `count` good rows after the header record (the first line that is not blank),
/// with the header's own line end. Returns the file and the header's line number.
private func pad(_ bytes: [UInt8], count: Int, role: String) -> (bytes: [UInt8], headerLine: Int) {
    var i = 0
    var line = 1
    // Skip blank lines before the header.
    while i < bytes.count, bytes[i] == 10 || bytes[i] == 13 {
        if bytes[i] == 13, i + 1 < bytes.count, bytes[i + 1] == 10 { i += 1 }
        line += 1
        i += 1
    }
    var end = i
    while end < bytes.count, bytes[end] != 10, bytes[end] != 13 { end += 1 }
    var terminator: [UInt8] = [10]
    var next = end
    if end < bytes.count {
        if bytes[end] == 13, end + 1 < bytes.count, bytes[end + 1] == 10 { terminator = [13, 10]; next = end + 2 }
        else { terminator = [bytes[end]]; next = end + 1 }
    }
    let columns = String(decoding: bytes[i..<end], as: UTF8.self).replacingOccurrences(of: "\u{FEFF}", with: "")
        .split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    let hasCustomer = columns.contains("customer_id")
    var rows: [UInt8] = []
    for k in 0..<count {
        var values = columns.map { goodValue($0, k, hasCustomerColumn: hasCustomer) }
        // Accounts and transactions point at the padding customers PC0 … PC49.
        if role != "customers", let c = columns.firstIndex(of: "customer_id") { values[c] = "PC\(k % 50)" }
        if role == "transactions", let a = columns.firstIndex(of: "account_id") { values[a] = hasCustomer ? "" : "PA\(k % 50)" }
        rows += Array(values.joined(separator: ",").utf8) + terminator
    }
    var out = Array(bytes[..<end]) + terminator
    if end == bytes.count { out = bytes + terminator } // a header without a line end
    out += rows
    if next < bytes.count { out += bytes[next...] }
    return (out, line)
}

/// What one case wrote and ran.
private struct CorpusRun {
    var status: Int32
    var stderr: String
    var folder: String
    /// File name → (header line, padding rows), to turn committed line numbers into real ones.
    var shifts: [String: (header: Int, rows: Int)]
}

private func runCase(_ name: String, _ e: CorpusExpectation) throws -> CorpusRun {
    let source = corpusRoot + "/" + name
    let folder = TestSupport.temporaryFolder("corpus-\(name)")
    var shifts: [String: (header: Int, rows: Int)] = [:]
    func prepare(_ file: String, role: String) -> String {
        var bytes = TestSupport.readBytes(source + "/" + file)
        if file.hasSuffix(".csv") {
            bytes = expandTemplates(bytes)
            if let n = e.pad?[file], n > 0 {
                let padded = pad(bytes, count: n, role: role)
                bytes = padded.bytes
                shifts[file] = (padded.headerLine, n)
            }
        }
        let path = folder + "/" + file
        TestSupport.write(path, bytes: bytes)
        return path
    }
    var args = ["run"]
    for t in e.transactions { args += ["--transactions", prepare(t, role: "transactions")] }
    if let a = e.accounts { args += ["--accounts", prepare(a, role: "accounts")] }
    if let c = e.customers { args += ["--customers", prepare(c, role: "customers")] }
    args += ["--as-of", corpusAsOf, "--output", folder + "/out", "--threads", "1"]
    let r = try TestSupport.run(args)
    return CorpusRun(status: r.status, stderr: r.stderr, folder: folder, shifts: shifts)
}

private func manifestInputs(_ folder: String) -> [[String: Any]] {
    let text = TestSupport.read(folder + "/out/\(corpusAsOf)/manifest.json")
    let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
    return object?["inputs"] as? [[String: Any]] ?? []
}

// MARK: - The tests

@Test(arguments: corpusCases())
func badInputCorpusCase(_ name: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: corpusRoot + "/" + name + "/expect.json"))
    let e = try JSONDecoder().decode(CorpusExpectation.self, from: data)
    let r = try runCase(name, e)
    defer { try? FileManager.default.removeItem(atPath: r.folder) }
    let context = Comment(rawValue: "\(name): \(e.about)\(e.known_issue.map { "\nknown issue: \($0)" } ?? "")\nexit \(r.status), stderr:\n\(r.stderr.suffix(3000))")

    // Never a crash, whatever the case expects.
    func noCrash() {
        #expect(!crashStatuses.contains(r.status), context)
        #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Swift runtime failure"), context)
    }
    if e.crash_expected == true {
        withKnownIssue(Comment(rawValue: e.known_issue ?? "a known crash")) { noCrash() }
    } else {
        noCrash()
    }

    #expect(r.status == e.exit, context)
    if let text = e.stderr {
        #expect(r.stderr.contains(text), context)
    }

    let rejects = TestSupport.records(r.folder + "/out/.work/\(corpusAsOf)/rejects.csv")
    if let expected = e.rejects {
        var counts: [String: Int] = [:]
        for row in rejects { counts[row["reason"] ?? "?", default: 0] += 1 }
        #expect(counts == expected, context)
    }
    for (place, reason) in e.reject_lines ?? [:] {
        let parts = place.split(separator: ":").map(String.init)
        let file = parts.count == 2 ? parts[0] : (e.transactions.count == 1 ? e.transactions[0] : "")
        var line = Int(parts.last!)!
        if let shift = r.shifts[file], line > shift.header { line += shift.rows }
        let found = rejects.contains { ($0["file"] ?? "").hasSuffix("/" + file) && $0["line"] == String(line) && $0["reason"] == reason }
        #expect(found, "no \(reason) reject at \(file):\(line) (committed line \(parts.last!)); rejects: \(rejects.map { "\($0["file"].map { ($0 as NSString).lastPathComponent } ?? ""):\($0["line"] ?? ""):\($0["reason"] ?? "")" }.prefix(20))")
    }

    guard r.status == 0 else { return }
    let inputs = manifestInputs(r.folder)
    #expect(!inputs.isEmpty, "no inputs in manifest.json")
    for input in inputs {
        let name = input["name"] as? String ?? "?"
        let read = input["rows_read"] as? Int ?? -1, accepted = input["accepted"] as? Int ?? -1
        let rejected = input["rejected"] as? Int ?? -1, after = input["after_as_of"] as? Int ?? -1
        #expect(read == accepted + rejected + after, "\(name): read \(read) ≠ accepted \(accepted) + rejected \(rejected) + after \(after)")
        #expect(rejected == rejects.filter { $0["input"] == name }.count, "\(name): the manifest and rejects.csv disagree")
        if let v = e.accepted?[name] { #expect(accepted == v, "\(name): accepted") }
        if let v = e.after_as_of?[name] { #expect(after == v, "\(name): after_as_of") }
        if let v = e.read?[name] { #expect(read == v, "\(name): rows_read") }
    }
}

@Test func badInputCorpusIsSmallAndComplete() throws {
    let cases = corpusCases()
    #expect(cases.count >= 40)
    var total = 0
    let files = FileManager.default.enumerator(atPath: corpusRoot)
    while let f = files?.nextObject() as? String {
        let attributes = try FileManager.default.attributesOfItem(atPath: corpusRoot + "/" + f)
        if attributes[.type] as? FileAttributeType == .typeRegular { total += attributes[.size] as? Int ?? 0 }
    }
    #expect(total < 200_000, "the committed corpus is \(total) bytes; make large cases with {{repeat}} or {{rows}}")
}

/// A fuzzer input is a control byte and a body (see Fuzz/Sources/TierwiseFuzz/FuzzTarget.swift).
/// Here the body goes through the readers with the sizes the control byte picks, in process.
@Test(arguments: regressionInputs())
func fuzzRegressionReadsWithoutCrashing(_ name: String) throws {
    let bytes = TestSupport.readBytes(corpusRoot + "/fuzz-regressions/" + name)
    guard let control = bytes.first else { return }
    let body = Array(bytes.dropFirst())
    let chunkSizes = [1, 2, 3, 5, 8, 16, 64, 1024], blockSizes = [1, 2, 3, 4, 7, 16, 333, 4096]
    let delimiter: UInt8 = control & 0x40 != 0 ? UInt8(ascii: ";") : UInt8(ascii: ",")
    for options in [CSVOptions(delimiter: delimiter),
                    CSVOptions(delimiter: delimiter, chunkBytes: chunkSizes[Int(control & 7)], readBlockBytes: blockSizes[Int((control >> 3) & 7)]),
                    CSVOptions(delimiter: delimiter, maxRecordBytes: 64, chunkBytes: chunkSizes[Int(control & 7)], readBlockBytes: blockSizes[Int((control >> 3) & 7)])] {
        let source = MemoryStream(body)
        let stream: ByteStream
        switch Compression.sniff(body) {
        case .none: stream = source
        case .zstd: stream = try ZstdDecoder(source: source, path: name)
        case .gzip: stream = try GzipDecoder(source: source, path: name)
        }
        let chunker = RecordChunker(stream: stream, path: name, options: options)
        let parser = CSVFieldParser(delimiter: delimiter)
        var records = 0
        do {
            while let chunk = try chunker.next() {
                for r in 0..<chunk.count where records < 100_000 {
                    records += 1
                    if chunk.withRecord(r, { parser.parse($0) }) == .ok {
                        for i in 0..<parser.fieldCount { _ = parser.string(i) }
                    }
                }
            }
        } catch is IOError {
            // A clean refusal is fine; a crash is not.
        }
    }
}

/// The same regression inputs as a transactions file given to the binary.
@Test(arguments: regressionInputs())
func fuzzRegressionRunsWithoutCrashing(_ name: String) throws {
    let bytes = TestSupport.readBytes(corpusRoot + "/fuzz-regressions/" + name)
    let folder = TestSupport.temporaryFolder("fuzz-regression")
    defer { try? FileManager.default.removeItem(atPath: folder) }
    TestSupport.write(folder + "/t.csv", bytes: Array(bytes.dropFirst()))
    let r = try TestSupport.run(["run", "--transactions", folder + "/t.csv", "--as-of", corpusAsOf, "--output", folder + "/out", "--threads", "1"])
    #expect(!crashStatuses.contains(r.status), "\(name): exit \(r.status)\n\(r.stderr.suffix(2000))")
    #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Swift runtime failure"), "\(name): \(r.stderr.suffix(2000))")
}
