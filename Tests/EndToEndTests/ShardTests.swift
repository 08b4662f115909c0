import Foundation
import Testing
import TierwiseTestSupport

/// Issue 9: N shard runs and a merge give the outputs of a single run, byte for byte
/// (except manifest.json and report.html, which record times).

/// Runs `pipeline` once whole and as `n` shards plus a merge; returns both run folders.
private func singleAndMerged(_ folder: String, pipeline: String, n: Int, asOf: String = "2026-10-31",
                             extra: [String] = []) throws -> (single: String, merged: String) {
    let single = try TestSupport.run(["run", pipeline, "--output", folder + "/single", "--threads", "2"] + extra)
    #expect(single.status == 0, "\(single.stderr)")
    for k in 0..<n {
        let r = try TestSupport.run(["run", pipeline, "--output", folder + "/shards", "--shard", "\(k)/\(n)", "--threads", "2"] + extra)
        #expect(r.status == 0, "shard \(k): \(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/shards/shard-\(k)-of-\(n)/\(asOf)/_SUCCESS"))
    }
    let m = try TestSupport.run(["merge", pipeline, "--output", folder + "/merged", folder + "/shards"] + extra)
    #expect(m.status == 0, "\(m.stderr)")
    return (folder + "/single/\(asOf)", folder + "/merged/\(asOf)")
}

private func expectSameOutputs(_ a: String, _ b: String) {
    let x = outputs(a), y = outputs(b)
    #expect(x.count >= 12)
    #expect(Set(x.keys) == Set(y.keys))
    for (name, bytes) in x { #expect(y[name] == bytes, "\(name) differs") }
}

@Test func fourShardsAndMergeEqualASingleRunOnTheSamples() throws {
    let folder = TestSupport.temporaryFolder("e2e-shards")
    let (single, merged) = try singleAndMerged(folder, pipeline: samplePipeline(folder), n: 4)
    expectSameOutputs(single, merged)
    // The shards' rejects add up to the single run's, each row in one shard.
    let total = (0..<4).map { TestSupport.records(folder + "/shards/shard-\($0)-of-4/2026-10-31/rejects.csv").count }.reduce(0, +)
    #expect(total == TestSupport.records(single + "/rejects.csv").count)
    let manifest = json(merged + "/manifest.json")
    for input in manifest["inputs"] as! [[String: Any]] {
        #expect(input["rows_read"] as! Int == (input["accepted"] as! Int) + (input["rejected"] as! Int) + (input["after_as_of"] as! Int))
    }
}

/// Rows that cross shards: a transaction naming one customer and another customer's
/// account, rows with only an account, rows with neither, structural rejects, rows after the
/// as-of date, repeated customers and accounts, customers only in the transactions.
@Test func crossShardRowsAreCountedOnceAndEqualASingleRun() throws {
    let folder = TestSupport.temporaryFolder("e2e-shards-cross")
    var c = "customer_id,onboarded_on,segment,risk_rating,branch,manager_id\n"
    var a = "account_id,customer_id,product,opened_on,closed_on,balance,currency,interest_rate,credit_limit\n"
    var t = "txn_id,account_id,customer_id,booked_at,amount,currency,type,channel,fee\n"
    let ids = (1...40).map { String(format: "C%08d", $0) }
    for (i, id) in ids.enumerated() {
        c += "\(id),2015-01-0\(1 + i % 9),retail,\(1 + i % 9),BR00\(i % 3),M000\(i % 4)\n"
        a += "A\(i),\(id),checking,2016-02-01,,\(1000 + i * 37).50,EUR,0.0100,\n"
        a += "S\(i),\(id),savings,2017-03-01,,\(5000 + i * 91).00,EUR,0.0200,\n"
    }
    c += "C00000003,2015-01-01,retail,2,BR001,M0001\n"          // DUPLICATE_CUSTOMER
    c += ",2015-01-01,retail,2,BR001,M0001\n"                   // MISSING_FIELD, shard 0
    c += "C00000050,2015-01-01,retail\n"                        // FIELD_COUNT, shard 0
    c += "C00000051,2027-01-01,retail,2,BR001,M0001\n"          // after the as-of date
    c += "C00000052,2015-13-01,retail,2,BR001,M0001\n"          // BAD_DATE
    a += "A3,C00000017,checking,2016-02-01,,10.00,EUR,0.01,\n"  // DUPLICATE_ACCOUNT, likely another shard
    a += "A5,C00000005,checking,2016-02-01,,10.00,EUR,0.01,\n"  // DUPLICATE_ACCOUNT, same customer
    a += "X1,,checking,2016-02-01,,10.00,EUR,0.01,\n"           // MISSING_FIELD, shard 0
    a += "X2,C00000009,rocket,2016-02-01,,10.00,EUR,0.01,\n"    // BAD_PRODUCT
    a += "X3,C00000010,checking,2027-02-01,,10.00,EUR,0.01,\n"  // after the as-of date
    a += "X4,C00000011,checking\n"                              // FIELD_COUNT, shard 0
    var n = 0
    func txn(_ account: String, _ customer: String, _ day: String, _ amount: String, id: String? = nil) {
        n += 1
        t += "\(id ?? "T\(n)"),\(account),\(customer),\(day),\(amount),EUR,payment,mobile,0.00\n"
    }
    for (i, id) in ids.enumerated() {
        for m in 1...9 { txn("A\(i)", id, "2026-0\(m)-1\(i % 10)", "-\(10 + i * m).25") }
        txn("S\(i)", "", "2026-04-0\(1 + i % 9)", "250.00")                    // customer from the account
        txn("A\((i + 1) % ids.count)", id, "2026-05-05", "-5.00")              // CUSTOMER_MISMATCH, often across shards
        txn("", id, "2026-11-05", "-5.00")                                      // after the as-of date
        txn("A\(i)", id, "2026-06-06", "-1.5x")                                 // BAD_AMOUNT
    }
    txn("", "", "2026-03-03", "-5.00")                                          // MISSING_FIELD, shard 0
    txn("Z9", "", "2026-03-03", "-5.00")                                        // UNKNOWN_ACCOUNT, shard 0
    txn("Z9", "C00000007", "2026-03-03", "-5.00")                              // UNKNOWN_ACCOUNT, C7's shard
    txn("", "", "2026-12-03", "-5.00")                                          // after the as-of date, shard 0
    txn("S4", "", "2026-12-03", "-5.00")                                        // after the as-of date, C5's shard
    txn("", "C00000099", "2026-03-03", "-7.00")                                 // a customer only in the transactions
    txn("A2", "C00000003", "2026-04-03", "-8.00", id: "T2")                     // DUPLICATE_TXN (same customer)
    t += "T999,A1,C00000002\n"                                                  // FIELD_COUNT, shard 0
    TestSupport.write(folder + "/c.csv", c)
    TestSupport.write(folder + "/a.csv", a)
    TestSupport.write(folder + "/t.csv", t)
    let pipeline = folder + "/p.toml"
    TestSupport.write(pipeline, """
        [run]
        output = "out"
        as_of = "2026-10-31"
        reject_threshold = 0.9
        [inputs.transactions]
        paths = ["t.csv"]
        [inputs.accounts]
        paths = ["a.csv"]
        [inputs.customers]
        paths = ["c.csv"]
        """)
    for shards in [1, 3] {
        let (single, merged) = try singleAndMerged(folder + "/n\(shards)", pipeline: pipeline, n: shards)
        expectSameOutputs(single, merged)
        let total = (0..<shards).map { TestSupport.records(folder + "/n\(shards)/shards/shard-\($0)-of-\(shards)/2026-10-31/rejects.csv").count }.reduce(0, +)
        #expect(total == TestSupport.records(single + "/rejects.csv").count)
        #expect(total > 20)
    }
}

@Test func shardAutoReadsSlurmAndKubernetesVariables() throws {
    let folder = TestSupport.temporaryFolder("e2e-shards-auto")
    let pipeline = samplePipeline(folder)
    let slurm = try TestSupport.run(["run", pipeline, "--shard", "auto"], environment: ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"])
    #expect(slurm.status == 0, "\(slurm.stderr)")
    #expect(FileManager.default.fileExists(atPath: folder + "/out/shard-2-of-4/2026-10-31/shard.json"))
    let k8s = try TestSupport.run(["run", pipeline, "--shard", "auto/4"], environment: ["JOB_COMPLETION_INDEX": "1"])
    #expect(k8s.status == 0, "\(k8s.stderr)")
    #expect(FileManager.default.fileExists(atPath: folder + "/out/shard-1-of-4/2026-10-31/shard.json"))
    let none = try TestSupport.run(["run", pipeline, "--shard", "auto"])
    #expect(none.status == 64)
    // Two of four shards are not enough to merge.
    let merge = try TestSupport.run(["merge", pipeline, "--output", folder + "/merged", folder + "/out"])
    #expect(merge.status == 64, "\(merge.stderr)")
    #expect(merge.stderr.contains("exactly once"))
}

/// The shard hash as the README documents it (`IdInterner.hash`), written out again here so a
/// bank's export job can be checked against it.
private func shardHash(_ bytes: [UInt8]) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    var i = 0
    while i + 8 <= bytes.count {
        var w: UInt64 = 0
        for b in 0..<8 { w |= UInt64(bytes[i + b]) << (8 * UInt64(b)) }
        h = (h ^ (w &* 0xff51_afd7_ed55_8ccd)) &* 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 29
        i += 8
    }
    if !bytes.isEmpty {
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count { tail |= UInt64(bytes[i]) << shift; shift += 8; i += 1 }
        h = (h ^ (tail &* 0xff51_afd7_ed55_8ccd)) &* 0xc4ce_b9fe_1a85_ec53
    }
    h ^= h >> 33
    h &*= 0xff51_afd7_ed55_8ccd
    h ^= h >> 33
    return h
}

/// `--shard-input`: the transactions split by customer hash beforehand, each shard reading only
/// its part; the merge equals a single run over all the parts.
@Test func preSplitShardInputsMergeToASingleRun() throws {
    let folder = TestSupport.temporaryFolder("e2e-shards-split")
    let text = try TestSupport.shell("zstd -dc '\(TestSupport.packageRoot)/samples/transactions.csv.zst'")
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    let header = lines.removeFirst()
    let column = header.split(separator: ",").firstIndex(of: "customer_id")!
    var parts = [[String]](repeating: [header], count: 4)
    for line in lines {
        let fields = line.split(separator: ",", omittingEmptySubsequences: false)
        let k = fields.count > column && !fields[column].isEmpty ? Int(shardHash(Array(fields[column].utf8)) % 4) : 0
        parts[k].append(line)
    }
    for k in 0..<4 { TestSupport.write(folder + "/part-\(k).csv", parts[k].joined(separator: "\n") + "\n") }
    let pipeline = samplePipeline(folder) {
        $0.replacingOccurrences(of: "\"\(TestSupport.packageRoot)/samples/transactions.csv.zst\"", with: "\"\(folder)/part-*.csv\"")
    }
    let single = try TestSupport.run(["run", pipeline, "--output", folder + "/single"])
    #expect(single.status == 0, "\(single.stderr)")
    for k in 0..<4 {
        let r = try TestSupport.run(["run", pipeline, "--transactions", folder + "/part-\(k).csv", "--shard", "\(k)/4", "--shard-input",
                                     "--output", folder + "/shards"])
        #expect(r.status == 0, "shard \(k): \(r.stderr)")
    }
    let m = try TestSupport.run(["merge", pipeline, "--output", folder + "/merged", folder + "/shards"])
    #expect(m.status == 0, "\(m.stderr)")
    expectSameOutputs(folder + "/single/2026-10-31", folder + "/merged/2026-10-31")
    // A part given to the wrong shard is refused, naming the row.
    let wrong = try TestSupport.run(["run", pipeline, "--transactions", folder + "/part-0.csv", "--shard", "1/4", "--shard-input",
                                     "--output", folder + "/wrong"])
    #expect(wrong.status == 65)
    #expect(wrong.stderr.contains("not split by tierwise's customer hash"))
}
