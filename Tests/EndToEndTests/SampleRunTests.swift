import Foundation
import Testing
import TierwiseTestSupport

/// A copy of pipelines/sample.toml whose output goes to a fresh folder, with edits.
func samplePipeline(_ folder: String, edit: (String) -> String = { $0 }) -> String {
    var text = TestSupport.read(TestSupport.packageRoot + "/pipelines/sample.toml")
    text = text.replacingOccurrences(of: "output = \"../out\"", with: "output = \"\(folder)/out\"")
    text = text.replacingOccurrences(of: "\"../samples/", with: "\"\(TestSupport.packageRoot)/samples/")
    let path = folder + "/sample.toml"
    TestSupport.write(path, edit(text))
    return path
}

func json(_ path: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(TestSupport.read(path).utf8))) as? [String: Any] ?? [:]
}

/// Rows of a transactions file counted independently of tierwise: lines minus the header
/// (the samples have no quoted newlines).
func sampleTransactionRows() throws -> Int {
    let lines = try TestSupport.shell("zstd -dc '\(TestSupport.packageRoot)/samples/transactions.csv.zst' | wc -l")
    return Int(lines.trimmingCharacters(in: .whitespacesAndNewlines))! - 1
}

@Test func sampleRunWritesEveryOutputAndReconciles() throws {
    let folder = TestSupport.temporaryFolder("e2e")
    let r = try TestSupport.run(["run", samplePipeline(folder), "--threads", "2"])
    #expect(r.status == 0, "\(r.stderr)")
    let run = folder + "/out/2026-10-31"
    for name in ["customers.csv", "tiers/A.csv", "tiers/B.csv", "tiers/C.csv", "tiers/D.csv", "watchlist.csv", "tier_changes.csv", "managers.csv",
                 "summary.json", "report.html", "report.md", "rejects.csv", "manifest.json", "_SUCCESS"] {
        #expect(FileManager.default.fileExists(atPath: run + "/" + name), "\(name) missing")
    }
    let manifest = json(run + "/manifest.json")
    #expect(manifest["schema_version"] as? Int == 1)
    let inputs = manifest["inputs"] as! [[String: Any]]
    for input in inputs {
        let read = input["rows_read"] as! Int, accepted = input["accepted"] as! Int
        let rejected = input["rejected"] as! Int, after = input["after_as_of"] as! Int
        #expect(read == accepted + rejected + after, "\(input["name"]!)")
    }
    let t = inputs.first { $0["name"] as? String == "transactions" }!
    #expect(t["rows_read"] as? Int == (try sampleTransactionRows()))
    #expect((t["rejects_by_reason"] as! [String: Int]) == ["BAD_DATE": 2, "BAD_AMOUNT": 2, "UNKNOWN_ACCOUNT": 2, "DUPLICATE_TXN": 2,
                                                           "UNKNOWN_CURRENCY": 2, "FIELD_COUNT": 2])
    let rejects = TestSupport.records(run + "/rejects.csv")
    #expect(rejects.count == 12)
    #expect(rejects.allSatisfy { Int($0["line"] ?? "") != nil && !($0["record"] ?? "").isEmpty })
    // One row per customer of the union of the three dumps.
    let customers = TestSupport.records(run + "/customers.csv")
    #expect(customers.count == 2000)
    #expect(Set(customers.map { $0["customer_id"]! }).count == 2000)
    #expect(customers.map { $0["customer_id"]! } == customers.map { $0["customer_id"]! }.sorted())
    // Every output file's hash is in the manifest.
    let outputs = manifest["outputs"] as! [[String: Any]]
    #expect(outputs.contains { $0["path"] as? String == "customers.csv" && $0["rows"] as? Int == 2000 })
    // The lists add up.
    let tierTotal = ["A", "B", "C", "D"].reduce(0) { $0 + TestSupport.records(run + "/tiers/\($1).csv").count }
    #expect(tierTotal == 2000)
    let watch = TestSupport.records(run + "/watchlist.csv")
    #expect(watch.count == customers.filter { !($0["churn_flags"] ?? "").isEmpty }.count)
    // In order of value at risk (none last), then severity, then customer id.
    let severity = ["watch": 1, "warning": 2, "critical": 3]
    func watchKey(_ r: [String: String]) -> (Double, Int, String) {
        (Double(r["value_at_risk"] ?? "") ?? -.infinity, severity[r["churn_severity"] ?? ""] ?? 0, r["customer_id"] ?? "")
    }
    #expect(zip(watch, watch.dropFirst()).allSatisfy { a, b in
        let (x, y) = (watchKey(a), watchKey(b))
        return x.0 != y.0 ? x.0 > y.0 : x.1 != y.1 ? x.1 > y.1 : x.2 < y.2
    })
    #expect(watch.map { $0["position"] ?? "" } == (1...watch.count).map(String.init))
    // Explain answers for a customer of the sample.
    let id = customers[17]["customer_id"]!
    let explained = try TestSupport.run(["explain", id, "--run", run])
    #expect(explained.status == 0)
    #expect(explained.stdout.contains("Customer \(id)"))
    #expect(explained.stdout.contains("What would move the tier"))
}

@Test func plainGzipAndZstdInputsGiveTheSameResult() throws {
    let folder = TestSupport.temporaryFolder("e2e-compress")
    let gen = try TestSupport.run(["generate", "--customers", "300", "--months", "12", "--seed", "5", "--activity", "0.2", "--output", folder + "/data", "--compress", "none"])
    #expect(gen.status == 0, "\(gen.stderr)")
    let plain = TestSupport.readBytes(folder + "/data/transactions.csv")
    TestSupport.write(folder + "/data/t.csv.zst", bytes: try TestSupport.zstd(plain))
    TestSupport.write(folder + "/data/t.csv.gz", bytes: try TestSupport.gzip(plain))
    var results: [[UInt8]] = []
    for (k, file) in ["transactions.csv", "t.csv.zst", "t.csv.gz"].enumerated() {
        let out = folder + "/out\(k)"
        let r = try TestSupport.run(["run", "--transactions", folder + "/data/" + file, "--accounts", folder + "/data/accounts.csv",
                                     "--customers", folder + "/data/customers.csv", "--output", out, "--as-of", "2026-10-31"])
        #expect(r.status == 0, "\(r.stderr)")
        results.append(TestSupport.readBytes(out + "/2026-10-31/customers.csv"))
    }
    #expect(results[0].count > 1000)
    #expect(results[0] == results[1])
    #expect(results[0] == results[2])
}

/// A `pzstd` file whose frames split records, read with enough threads (16) that frames
/// are decoded on several at once, gives what the plain file gives.
@Test func pzstdFramesDecodedInParallelGiveTheSameResult() throws {
    let folder = TestSupport.temporaryFolder("e2e-pzstd")
    let gen = try TestSupport.run(["generate", "--customers", "300", "--months", "12", "--seed", "6", "--activity", "0.2", "--output", folder + "/data", "--compress", "none"])
    #expect(gen.status == 0, "\(gen.stderr)")
    let data = folder + "/data"
    // Three parts cut at byte offsets inside records, each compressed by the real pzstd, then joined.
    _ = try TestSupport.shell("cd '\(data)' && head -c 20011 transactions.csv > a && tail -c +20012 transactions.csv | head -c 15013 > b && "
                              + "tail -c +35025 transactions.csv > c && for p in a b c; do pzstd -q -f -p 2 $p -o $p.zst; done && cat a.zst b.zst c.zst > t.csv.zst")
    #expect(try TestSupport.shell("zstd -dc '\(data)/t.csv.zst' | cmp - '\(data)/transactions.csv' && echo same").contains("same"))
    var results: [[UInt8]] = []
    for (k, (file, threads)) in [("transactions.csv", "2"), ("t.csv.zst", "16")].enumerated() {
        let out = folder + "/out\(k)"
        let r = try TestSupport.run(["run", "--transactions", data + "/" + file, "--accounts", data + "/accounts.csv", "--customers", data + "/customers.csv",
                                     "--output", out, "--as-of", "2026-10-31", "--threads", threads])
        #expect(r.status == 0, "\(r.stderr)")
        // rejects.csv names the file each row came from; the rest must be the same.
        let rejects = TestSupport.read(out + "/2026-10-31/rejects.csv").replacingOccurrences(of: data + "/" + file, with: "FILE")
        results.append(TestSupport.readBytes(out + "/2026-10-31/customers.csv") + Array(rejects.utf8))
    }
    #expect(results[0].count > 1000)
    let same = results[0] == results[1]
    #expect(same)
}

/// A file whose name and bytes disagree on compression is read as its bytes say, and the
/// log says so, naming the file; a file named as it is compressed gets no such line.
@Test func aCompressionNameThatDisagreesWithTheBytesIsLogged() throws {
    let folder = TestSupport.temporaryFolder("e2e-name")
    let plain = try TestSupport.shell("zstd -dc '\(TestSupport.packageRoot)/samples/transactions.csv.zst'")
    TestSupport.write(folder + "/t.csv.zst", plain)
    let r = try TestSupport.run(["run", "--transactions", folder + "/t.csv.zst", "--accounts", TestSupport.packageRoot + "/samples/accounts.csv",
                                 "--as-of", "2026-10-31", "--output", folder + "/out", "--rfm-only"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("\(folder)/t.csv.zst: the name suggests zstd but the file is not compressed"))
    let named = try TestSupport.run(["run", "--transactions", TestSupport.packageRoot + "/samples/transactions.csv.zst", "--accounts",
                                     TestSupport.packageRoot + "/samples/accounts.csv", "--as-of", "2026-10-31", "--output", folder + "/out2", "--rfm-only"])
    #expect(named.status == 0)
    #expect(!named.stderr.contains("input_warning"))
    #expect(TestSupport.read(folder + "/out/2026-10-31/customers.csv") == TestSupport.read(folder + "/out2/2026-10-31/customers.csv"))
}

@Test func smallestInputWorksWithDefaults() throws {
    let folder = TestSupport.temporaryFolder("e2e-min")
    var text = "customer_id,booked_at,amount\n"
    for c in 0..<40 { for k in 0..<(c % 9 + 1) { text += "C\(c),2026-0\(1 + (k + c) % 9)-1\(k % 10),-\(c + k).50\n" } }
    text += "C0,2026-09-19,-1.00\n"
    TestSupport.write(folder + "/t.csv", text)
    TestSupport.write(folder + "/t.csv.zst", bytes: try TestSupport.zstd(Array(text.utf8)))
    let r = try TestSupport.run(["run", "--transactions", folder + "/t.csv.zst", "--output", folder + "/out"])
    #expect(r.status == 0, "\(r.stderr)")
    let runs = try FileManager.default.contentsOfDirectory(atPath: folder + "/out").filter { !$0.hasPrefix(".") }
    #expect(runs == ["2026-09-19"], "the as-of date is the latest booking day")
    let summary = json(folder + "/out/2026-09-19/summary.json")
    #expect((summary["headline"] as? [String: Any])?["customers"] as? Int == 40)
    let notes = summary["notes"] as? [String] ?? []
    #expect(notes.contains { $0.hasPrefix("Net interest income and expected loss are not available") })
    let customers = TestSupport.records(folder + "/out/2026-09-19/customers.csv")
    #expect(customers.allSatisfy { $0["net_interest_income"] == "" && $0["expected_loss"] == "" })
}
