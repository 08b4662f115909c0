import Foundation
import Testing
import TierwisePipeline
import TierwiseTestSupport

/// Runs the real binary on one transactions file (plus small accounts and customers dumps)
/// and returns the exit status, stderr and the rejects by reason.
func runOnTransactions(_ body: String, bytes: [UInt8]? = nil, name: String = "t.csv", extraArgs: [String] = [], accounts: String? = nil,
                       customers: String? = nil) throws -> (status: Int32, stderr: String, rejects: [[String: String]], folder: String) {
    let folder = TestSupport.temporaryFolder("bad-input")
    if let bytes { TestSupport.write(folder + "/" + name, bytes: bytes) } else { TestSupport.write(folder + "/" + name, body) }
    var args = ["run", "--transactions", folder + "/" + name, "--output", folder + "/out", "--as-of", "2026-10-31", "--threads", "1"]
    if let accounts { TestSupport.write(folder + "/a.csv", accounts); args += ["--accounts", folder + "/a.csv"] }
    if let customers { TestSupport.write(folder + "/c.csv", customers); args += ["--customers", folder + "/c.csv"] }
    let r = try TestSupport.run(args + extraArgs)
    let rejects = TestSupport.records(folder + "/out/.work/2026-10-31/rejects.csv")
    return (r.status, r.stderr, rejects, folder)
}

let header = "txn_id,customer_id,booked_at,amount,currency,type,channel,fee\n"
/// Enough good rows that one bad row stays under the 1 % reject threshold.
let goodRows = (1...200).map { "T\($0),C\($0 % 7),2026-0\(1 + $0 % 9)-1\($0 % 10),-\($0).25,EUR,card,pos,0\n" }.joined()

/// One bad row each: the reason code it must get in rejects.csv.
@Test(arguments: [
    ("X1,C1,2026-02-30,1.00,EUR,card,pos,0", "BAD_DATE", "booked_at"),
    ("X1,C1,31/10/2026,1.00,EUR,card,pos,0", "BAD_DATE", "booked_at"),
    ("X1,C1,,1.00,EUR,card,pos,0", "MISSING_FIELD", "booked_at"),
    ("X1,C1,2026-01-01,1.00.0,EUR,card,pos,0", "BAD_AMOUNT", "amount"),
    ("X1,C1,2026-01-01,\"1,00\",EUR,card,pos,0", "BAD_AMOUNT", "amount"),
    ("X1,C1,2026-01-01,1.23456,EUR,card,pos,0", "BAD_AMOUNT", "amount"),
    ("X1,C1,2026-01-01,,EUR,card,pos,0", "MISSING_FIELD", "amount"),
    ("X1,C1,2026-01-01,99999999999999999999,EUR,card,pos,0", "AMOUNT_OVERFLOW", "amount"),
    ("X1,C1,2026-01-01,1.00,XYZ,card,pos,0", "UNKNOWN_CURRENCY", "currency"),
    ("X1,C1,2026-01-01,1.00,EUR,gift,pos,0", "BAD_TYPE", "type"),
    ("X1,C1,2026-01-01,1.00,EUR,card,fax,0", "BAD_CHANNEL", "channel"),
    ("X1,C1,2026-01-01,1.00,EUR,card,pos,-1", "BAD_AMOUNT", "fee"),
    ("X1,,2026-01-01,1.00,EUR,card,pos,0", "MISSING_FIELD", "customer_id"),
    ("X1,C1,2026-01-01,1.00,EUR,card", "FIELD_COUNT", ""),
    ("X1,C1,2026-01-01,1.00,EUR,card,pos,0,extra", "FIELD_COUNT", ""),
    ("X1,C1,2026-01-01,1.00,EUR,ca\"rd,pos,0", "BAD_QUOTING", ""),
    ("T5,C1,2026-01-01,1.00,EUR,card,pos,0", "DUPLICATE_TXN", "txn_id"),
    ("X1,C1,2026-01-01,1.00,EUR,card,pos,0\u{0}", "NUL_BYTE", ""),
])
func badRowGetsItsReason(row: String, reason: String, field: String) throws {
    let r = try runOnTransactions(header + goodRows + row + "\n")
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.rejects.count == 1)
    #expect(r.rejects.first?["reason"] == reason)
    #expect(r.rejects.first?["field"] == field)
    #expect(r.rejects.first?["line"] == "202")
    #expect(r.rejects.first?["record"] == row.replacingOccurrences(of: "\u{0}", with: "\u{0}"))
}

@Test func unterminatedQuoteAtTheEndIsRejected() throws {
    let r = try runOnTransactions(header + goodRows + "X1,C1,2026-01-01,1.00,EUR,\"card,pos,0\n")
    #expect(r.status == 0)
    #expect(r.rejects.map { $0["reason"] } == ["UNTERMINATED_QUOTE"])
}

@Test func rowsAfterTheAsOfDateAreCountedApartNotRejected() throws {
    let r = try runOnTransactions(header + goodRows + "X1,C1,2026-11-01,1.00,EUR,card,pos,0\nX2,C1,2027-01-01,1.00,EUR,card,pos,0\n")
    #expect(r.status == 0)
    #expect(r.rejects.isEmpty)
    let manifest = try JSONSerialization.jsonObject(with: Data(TestSupport.read(r.folder + "/out/2026-10-31/manifest.json").utf8)) as! [String: Any]
    let inputs = manifest["inputs"] as! [[String: Any]]
    let t = inputs.first { $0["name"] as? String == "transactions" }!
    #expect(t["after_as_of"] as? Int == 2 || t["afterAsOf"] as? Int == 2)
}

@Test func accountsResolveCustomersAndUnknownsAreRejected() throws {
    let accounts = "account_id,customer_id,product,opened_on,closed_on,balance,currency,interest_rate,credit_limit\n"
        + (0..<7).map { "A\($0),C\($0),checking,2020-01-01,,100.00,EUR,0.0," }.joined(separator: "\n") + "\nA99,,savings,2020-01-01,,1.00,EUR,0.01,\n"
        + (100..<400).map { "B\($0),C\($0),savings,2020-01-01,,5.00,EUR,0.01,\n" }.joined()
        + "A98,C1,savings,2020-01-01,,1.00,USD,0.01,\n"
    let h = "txn_id,account_id,customer_id,booked_at,amount\n"
    var rows = (1...200).map { "T\($0),A\($0 % 7),,2026-05-0\(1 + $0 % 9),-1.00\n" }.joined()
    rows += "X1,A404,,2026-05-01,-1.00\nX2,A1,C2,2026-05-01,-1.00\n"
    let r = try runOnTransactions(h + rows, accounts: accounts)
    #expect(r.status == 0, "\(r.stderr)")
    let reasons = r.rejects.map { "\($0["input"]!):\($0["reason"]!)" }.sorted()
    #expect(reasons == ["accounts:MISSING_FIELD", "accounts:UNKNOWN_CURRENCY", "transactions:CUSTOMER_MISMATCH", "transactions:UNKNOWN_ACCOUNT"])
}

/// The validator checks a row's own fields at once but looks its ids up a batch of rows at a
/// time; rejects of both kinds, mixed within one batch, must still come in file order, and
/// the rows between them must be kept. The accepted rows' txn_ids are copied out per batch:
/// repeats must be found by the id of the row they repeat, a rejected row's id is never
/// seen, and a row without an id takes no place. The mix starts after 40 rows, past the
/// first batch.
@Test func rejectsFoundBeforeAndAfterTheLookupsStayInFileOrder() throws {
    let accounts = "account_id,customer_id,product,opened_on,closed_on,balance\n"
        + (0..<7).map { "A\($0),C\($0),checking,2020-01-01,,100.00\n" }.joined() + "A7,CX7,checking,2020-01-01,,100.00\n"
    let h = "txn_id,account_id,customer_id,booked_at,amount\n"
    let mixed = [
        ("M1,A404,,2026-05-01,-1.00", "UNKNOWN_ACCOUNT"),
        ("M2,A1,,2026-02-30,-1.00", "BAD_DATE"),
        ("M2b,A1,,2026-02-30,-1.00", "BAD_DATE"),  // the same bad date again: a repeated date is not taken on trust
        ("M3,A1,C2,2026-05-01,-1.00", "CUSTOMER_MISMATCH"),
        ("M4,,C77,2026-05-01,-1.00", ""),
        ("M5,A2,,2026-05-01,1.0.0", "BAD_AMOUNT"),
        ("M6,,,2026-05-01,-1.00", "MISSING_FIELD"),
        ("M7,A3,C3,2026-05-01,-1.00", ""),
        ("M8,A405,C3,2026-05-01,-1.00", "UNKNOWN_ACCOUNT"),
        ("M9,A4,,,-1.00", "MISSING_FIELD"),
        ("M10,A5,,2026-05-01,-1.00", ""),
        (",A5,,2026-05-01,-1.00", ""),
        ("M7,A3,C3,2026-05-02,-1.00", "DUPLICATE_TXN"),
        ("M1,A1,,2026-05-01,-1.00", ""),
        ("LONGER-ID-0000000010,A2,,2026-05-01,-1.00", ""),
        ("M10,A2,,2026-05-03,-1.00", "DUPLICATE_TXN"),
        ("T3,A2,,2026-05-03,-1.00", "DUPLICATE_TXN"),
        ("M1,A6,,2026-05-01,-1.00", "DUPLICATE_TXN"),
        // The account directory: an owner id of another shape, a number no account has, an account with its own customer.
        ("M12,A7,CX7,2026-05-01,-1.00", ""),
        ("M13,A7,C1,2026-05-01,-1.00", "CUSTOMER_MISMATCH"),
        ("M14,A9,,2026-05-01,-1.00", "UNKNOWN_ACCOUNT"),
        ("M15,A2,C2,2026-05-01,-1.00", ""),
        ("M16,A2,C3,2026-05-01,-1.00", "CUSTOMER_MISMATCH"),
    ]
    let first = (1...40).map { "T\($0),A\($0 % 7),,2026-05-0\(1 + $0 % 9),-1.00\n" }.joined()
    let good = (41...2000).map { "T\($0),A\($0 % 7),,2026-05-0\(1 + $0 % 9),-1.00\n" }.joined()
    let r = try runOnTransactions(h + first + mixed.map { $0.0 + "\n" }.joined() + good, accounts: accounts)
    #expect(r.status == 0, "\(r.stderr)")
    let expected = mixed.enumerated().filter { !$0.element.1.isEmpty }
    #expect(r.rejects.map { $0["reason"] ?? "" } == expected.map(\.element.1))
    #expect(r.rejects.map { $0["line"] ?? "" } == expected.map { "\($0.offset + 42)" })
    // The rows among them that pass are kept, one of them with a customer new in the transactions.
    let customers = TestSupport.records(r.folder + "/out/2026-10-31/customers.csv")
    #expect(customers.contains { $0["customer_id"] == "C77" })
}

@Test func repeatedCustomerAndAccountWithoutCustomerAreRejected() throws {
    let customers = "customer_id,onboarded_on,segment,risk_rating,branch,manager_id\nC1,2020-01-01,retail,3,B1,M1\nC1,2021-01-01,retail,4,B1,M1\nC2,2020-01-01,retail,11,B1,M1\n"
        + (3..<400).map { "C\($0),2020-01-01,retail,2,B1,M1" }.joined(separator: "\n") + "\n"
    let accounts = "account_id,customer_id,product,opened_on,closed_on,balance\nA1,C1,checking,2020-01-01,,1.00\nA2,C999,checking,2020-01-01,,1.00\n"
        + (3..<400).map { "A\($0),C\($0),savings,2020-01-01,,5.00" }.joined(separator: "\n") + "\n"
    let r = try runOnTransactions(header + goodRows, accounts: accounts, customers: customers)
    #expect(r.status == 0, "\(r.stderr)")
    let reasons = r.rejects.map { "\($0["input"]!):\($0["reason"]!)" }.sorted()
    #expect(reasons == ["accounts:UNKNOWN_CUSTOMER", "customers:BAD_RISK_RATING", "customers:DUPLICATE_CUSTOMER"])
}

@Test func tooManyRejectsFailWithExit65AndNoOutputs() throws {
    let rows = (1...50).map { "T\($0),C1,2026-01-0\(1 + $0 % 9),-1.00,EUR,card,pos,0\n" }.joined() + "X1,C1,bad,1,EUR,card,pos,0\n"
    let r = try runOnTransactions(header + rows)
    #expect(r.status == 65)
    #expect(r.stderr.contains("1 of 51 rows rejected"))
    #expect(!FileManager.default.fileExists(atPath: r.folder + "/out/2026-10-31"))
}

/// Files unreadable as a whole: the exit code and the words of the message.
@Test(arguments: [
    ("wrong header", "id,date,value\n1,2026-01-01,1.00\n", 65, "t.csv:1: the transactions header has no column \"booked_at\""),
    ("empty", "", 65, "the file is empty: it has no header row"),
    ("not UTF-8", "customer_id,booked_at,amount\nC1,2026-01-01,1.00\nC\u{FFFD},2026-01-01,1.00\n", 65, "t.csv:3: the file is not UTF-8"),
])
func unreadableFilesStopTheRun(label: String, body: String, status: Int32, message: String) throws {
    var bytes = Array(body.utf8)
    if label == "not UTF-8" { bytes = bytes.map { $0 == 0xEF ? 0xFF : $0 } }
    let r = try runOnTransactions("", bytes: bytes)
    #expect(r.status == status, "\(label): \(r.stderr)")
    #expect(r.stderr.contains(message), "\(label): \(r.stderr)")
    #expect(!r.stderr.contains("Fatal error"))
}

@Test func headerOnlyFileNeedsAnAsOfDateAndOtherwiseRuns() throws {
    let r = try runOnTransactions("customer_id,booked_at,amount\n")
    #expect(r.status == 0, "\(r.stderr)")
    let folder = TestSupport.temporaryFolder()
    TestSupport.write(folder + "/t.csv", "customer_id,booked_at,amount\n")
    let noDate = try TestSupport.run(["run", "--transactions", folder + "/t.csv", "--output", folder + "/out"])
    #expect(noDate.status == 65)
    #expect(noDate.stderr.contains("give --as-of"))
}

@Test func compressedInputsThatAreBrokenStopTheRun() throws {
    let text = Array((header + goodRows + goodRows).utf8)
    let zst = try TestSupport.zstd(text)
    let truncated = try runOnTransactions("", bytes: Array(zst[..<(zst.count / 2)]), name: "t.csv.zst")
    #expect(truncated.status == 65)
    #expect(truncated.stderr.contains("t.csv.zst: the zstd stream ends in the middle of a frame (the file is truncated)"))
    let gz = try TestSupport.gzip(text)
    let gzCut = try runOnTransactions("", bytes: Array(gz[..<(gz.count - 30)]), name: "t.csv.gz")
    #expect(gzCut.status == 65)
    #expect(gzCut.stderr.contains("the gzip stream ends early"))
    let fake = try runOnTransactions(header + goodRows, name: "t.csv.zst")
    #expect(fake.status == 0, "a .zst name on a plain file is read by its bytes")
}

@Test func missingInputIsExit66() throws {
    let folder = TestSupport.temporaryFolder()
    let r = try TestSupport.run(["run", "--transactions", folder + "/nope.csv", "--output", folder + "/out"])
    #expect(r.status == 66)
    #expect(r.stderr.contains("nope.csv: the transactions input does not exist"))
}

@Test func unknownPipelineKeyIsExit64() throws {
    let folder = TestSupport.temporaryFolder()
    TestSupport.write(folder + "/p.toml", "[tier]\nshare_a = 0.1\n[inputs.transactions]\npaths = \"t.csv\"\n")
    let r = try TestSupport.run(["run", folder + "/p.toml"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("tier.share_a: unknown key"))
}

@Test func aFolderGivenAsInputIsExit66() throws {
    let folder = TestSupport.temporaryFolder()
    try FileManager.default.createDirectory(atPath: folder + "/t.csv", withIntermediateDirectories: true)
    let r = try TestSupport.run(["run", "--transactions", folder + "/t.csv", "--output", folder + "/out"])
    #expect(r.status == 66)
    #expect(r.stderr.contains("t.csv"))
}
