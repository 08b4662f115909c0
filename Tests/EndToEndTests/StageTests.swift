import Foundation
import Testing
import TierwiseTestSupport

func stages(_ log: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in log.split(separator: "\n") {
        guard let stage = line.split(separator: " ").first(where: { $0.hasPrefix("stage=") })?.dropFirst(6) else { continue }
        if line.contains("event=stage_skipped") { out[String(stage)] = "skipped" }
        if line.contains("event=stage_end") { out[String(stage)] = "ran" }
    }
    return out
}

@Test func changingATierParameterRerunsOnlyTierAndReport() throws {
    let folder = TestSupport.temporaryFolder("e2e-stage")
    let pipeline = samplePipeline(folder)
    let first = try TestSupport.run(["run", pipeline])
    #expect(first.status == 0, "\(first.stderr)")
    let before = TestSupport.read(folder + "/out/2026-10-31/tiers/A.csv")
    // The analyst edits a tier share and reruns just that stage.
    _ = samplePipeline(folder) { $0.replacingOccurrences(of: "A = 0.05", with: "A = 0.10") }
    let second = try TestSupport.run(["run", pipeline, "--stage", "tier"])
    #expect(second.status == 0, "\(second.stderr)")
    let s = stages(second.stderr)
    for upstream in ["ingest", "features", "rfm", "clv", "profit", "churn"] { #expect(s[upstream] == "skipped", "\(upstream): \(s)") }
    #expect(s["tier"] == "ran" && s["report"] == "ran")
    let after = TestSupport.read(folder + "/out/2026-10-31/tiers/A.csv")
    // 5 % → 10 % of 2,000 by rank; private-banking customers are A on top of that.
    #expect(TestSupport.csv(after).count - TestSupport.csv(before).count == 100)
    // A plain rerun finds everything up to date; --force reruns all.
    let third = try TestSupport.run(["run", pipeline])
    #expect(stages(third.stderr).values.allSatisfy { $0 == "skipped" })
    let forced = try TestSupport.run(["run", pipeline, "--force"])
    #expect(stages(forced.stderr)["ingest"] == "ran")
}

/// An RFM-only run saves ingest's table but not the features table (rebuilding it costs less
/// than writing it), so it records ingest and not features. Here a full run on one window
/// leaves its features.twk, an RFM-only run on another window follows: the full run on that
/// window afterwards must reuse ingest's table, build features again rather than trust the
/// table left on disk, and give what a clean full run gives. The RFM-only run's own columns
/// are those of the clean full run too.
@Test func anRFMOnlyRunLeavesFeaturesForTheNextRunToBuild() throws {
    let folder = TestSupport.temporaryFolder("e2e-rfm-only")
    let pipeline = samplePipeline(folder)
    let other = folder + "/other.toml"
    TestSupport.write(other, TestSupport.read(pipeline).replacingOccurrences(of: "days = 365 ", with: "days = 200 "))
    #expect(TestSupport.read(other) != TestSupport.read(pipeline))
    let clean = try TestSupport.run(["run", other, "--output", folder + "/clean"])
    #expect(clean.status == 0, "\(clean.stderr)")
    #expect(try TestSupport.run(["run", pipeline]).status == 0)
    let rfmOnly = try TestSupport.run(["run", other, "--rfm-only"])
    #expect(rfmOnly.status == 0, "\(rfmOnly.stderr)")
    #expect(stages(rfmOnly.stderr)["features"] == "ran")
    // Its log names the stages it runs and no others.
    let planned = rfmOnly.stderr.split(separator: "\n").first { $0.contains("event=run_start") }?
        .split(separator: " ").first { $0.hasPrefix("stages_to_run=") }
    let ran = ["ingest", "features", "rfm", "clv", "profit", "churn", "tier", "report"].filter { stages(rfmOnly.stderr)[$0] == "ran" }
    #expect(ran.last == "rfm")
    #expect(planned.map(String.init) == "stages_to_run=" + ran.joined(separator: ","), "\(rfmOnly.stderr)")
    let recorded = json(folder + "/out/.work/2026-10-31/stages.json")
    #expect(recorded["ingest"] != nil && recorded["rfm"] != nil)
    #expect(recorded["features"] == nil, "an RFM-only run does not vouch for a features table it did not save")
    // It builds only the RFM columns of the table; they are the full run's.
    let rfmColumns = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_cell", "rfm_segment"]
    let onlyRFM = TestSupport.records(folder + "/out/2026-10-31/customers.csv")
    #expect(onlyRFM.count > 100)
    #expect(onlyRFM.map { r in rfmColumns.map { r[$0] ?? "?" } }
        == TestSupport.records(folder + "/clean/2026-10-31/customers.csv").map { r in rfmColumns.map { r[$0] ?? "?" } })
    let full = try TestSupport.run(["run", other])
    #expect(full.status == 0, "\(full.stderr)")
    #expect(stages(full.stderr)["ingest"] == "skipped" && stages(full.stderr)["features"] == "ran")
    #expect(TestSupport.read(folder + "/out/2026-10-31/customers.csv") == TestSupport.read(folder + "/clean/2026-10-31/customers.csv"))
}

/// Customers first seen in the transactions (no customers or accounts row) are saved apart
/// in ingest's table, after the customers of the dumps. A rerun that reads that table must
/// give them back in their places, with empty profiles: here a second transactions file
/// adds two, and `--stage features` must write what the run that read the dumps wrote.
@Test func customersFirstSeenInTheTransactionsComeBackFromTheSavedIngest() throws {
    let folder = TestSupport.temporaryFolder("e2e-added-customers")
    let added = folder + "/added.csv"
    TestSupport.write(added, """
        txn_id,account_id,customer_id,booked_at,amount,currency,type,channel,fee
        TADDED1,,CADDED1,2026-10-20,-25.00,EUR,card,pos,0.00
        TADDED2,,CADDED2,2026-09-01,-40.00,EUR,card,online,0.00
        TADDED3,,CADDED1,2026-10-25,-25.00,EUR,card,pos,0.00

        """)
    let pipeline = samplePipeline(folder) {
        $0.replacingOccurrences(of: "paths = [\"\(TestSupport.packageRoot)/samples/transactions.csv.zst\"]",
                                with: "paths = [\"\(TestSupport.packageRoot)/samples/transactions.csv.zst\", \"\(added)\"]")
    }
    #expect(TestSupport.read(pipeline).contains(added))
    let first = try TestSupport.run(["run", pipeline])
    #expect(first.status == 0, "\(first.stderr)")
    let customers = folder + "/out/2026-10-31/customers.csv"
    let before = TestSupport.read(customers)
    let rows = TestSupport.records(customers).filter { $0["customer_id"]!.hasPrefix("CADDED") }
    #expect(rows.map { $0["customer_id"]! } == ["CADDED1", "CADDED2"] && rows.allSatisfy { $0["manager_id"] == "" && $0["branch"] == "" && $0["frequency"] != "0" })
    let rerun = try TestSupport.run(["run", pipeline, "--stage", "features"])
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(stages(rerun.stderr)["ingest"] == "skipped" && stages(rerun.stderr)["features"] == "ran")
    #expect(TestSupport.read(customers) == before)
}

@Test func aSecondConcurrentRunGetsExit75() throws {
    let folder = TestSupport.temporaryFolder("e2e-lock")
    let pipeline = samplePipeline(folder)
    let first = Process()
    first.executableURL = URL(fileURLWithPath: TestSupport.binary)
    first.arguments = ["run", pipeline, "--threads", "1"]
    first.standardError = FileHandle.nullDevice
    first.standardOutput = FileHandle.nullDevice
    try first.run()
    // Wait until the first run holds the lock.
    let lockPath = folder + "/out/.tierwise.lock"
    for _ in 0..<200 where TestSupport.read(lockPath).isEmpty { usleep(20_000) }
    let second = try TestSupport.run(["run", pipeline])
    first.waitUntilExit()
    #expect(first.terminationStatus == 0)
    #expect(second.status == 75)
    #expect(second.stderr.contains("another tierwise run holds the lock (pid \(first.processIdentifier), started"))
}

@Test func aStaleLockIsTakenOver() throws {
    let folder = TestSupport.temporaryFolder("e2e-stale")
    let pipeline = samplePipeline(folder)
    TestSupport.write(folder + "/out/.tierwise.lock", "pid 999999, started 2026-01-01T00:00:00Z\n")
    let r = try TestSupport.run(["run", pipeline])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("took over a lock left by a run that is no longer running (pid 999999"))
}

@Test func jsonLogsAreOneObjectPerLineWithoutCustomerData() throws {
    let folder = TestSupport.temporaryFolder("e2e-json")
    let r = try TestSupport.run(["run", samplePipeline(folder), "--log-format", "json"])
    #expect(r.status == 0)
    let lines = r.stderr.split(separator: "\n")
    #expect(lines.count >= 10)
    for line in lines {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(object?["event"] != nil)
    }
    #expect(!r.stderr.contains("C0000"), "no customer ids in logs")
}

/// A nightly run compares its tiers with the latest earlier run's customers.csv. Here the
/// earlier run is this run's own file with every third customer's tier changed (and one
/// customer listed twice, the last row counting): tier_changes.csv must list exactly the
/// customers whose tier differs from that file's, from its tier to this run's.
@Test func tierChangesFollowThePreviousRunsCustomersFile() throws {
    let folder = TestSupport.temporaryFolder("e2e-previous")
    let pipeline = samplePipeline(folder)
    let first = try TestSupport.run(["run", pipeline, "--threads", "2"])
    #expect(first.status == 0, "\(first.stderr)")
    let out = folder + "/out"
    var lines = TestSupport.read(out + "/2026-10-31/customers.csv").split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    var previous: [String: String] = [:]
    // customer_id, manager_id, branch and tier come first and are never quoted.
    func retiered(_ line: String, _ tier: String) -> String {
        var fields = line.split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        fields[3] = tier
        return fields.joined(separator: ",")
    }
    for k in 1..<lines.count {
        let fields = lines[k].split(separator: ",", maxSplits: 4, omittingEmptySubsequences: false)
        let id = String(fields[0]), tier = String(fields[3])
        let before = k % 3 == 0 ? (tier == "A" ? "D" : "A") : tier
        lines[k] = retiered(lines[k], before)
        previous[id] = before
    }
    // The second customer again, with another tier: the later row is the one that counts.
    let twice = String(lines[2].prefix { $0 != "," })
    let again = previous[twice] == "B" ? "C" : "B"
    lines.append(retiered(lines[2], again))
    previous[twice] = again
    try FileManager.default.createDirectory(atPath: out + "/2026-10-30", withIntermediateDirectories: true)
    TestSupport.write(out + "/2026-10-30/customers.csv", lines.joined(separator: "\n") + "\n")
    TestSupport.write(out + "/2026-10-30/_SUCCESS", "")
    let second = try TestSupport.run(["run", pipeline, "--stage", "tier", "--threads", "2"])
    #expect(second.status == 0, "\(second.stderr)")
    let now = Dictionary(uniqueKeysWithValues: TestSupport.records(out + "/2026-10-31/customers.csv").map { ($0["customer_id"]!, $0["tier"]!) })
    let expected = Set(now.filter { previous[$0.key] != $0.value }.map(\.key))
    #expect(expected.count > 600)
    #expect(expected.contains(twice))
    let changes = TestSupport.records(out + "/2026-10-31/tier_changes.csv")
    #expect(Set(changes.map { $0["customer_id"]! }) == expected)
    #expect(changes.count == expected.count)
    for c in changes {
        let id = c["customer_id"]!
        #expect(c["from_tier"] == previous[id] && c["to_tier"] == now[id], "\(id)")
        #expect(c["direction"] == (c["to_tier"]! < c["from_tier"]! ? "up" : "down"), "\(id)")
        #expect(!(c["driver"] ?? "").isEmpty, "\(id)")
    }
}

/// `--threads 1` runs rfm, clv and profit one after another (each ends before the next
/// starts); on more threads they may overlap, and the outputs are the same either way.
@Test func oneThreadRunsTheScoringStagesOneAtATime() throws {
    let folder = TestSupport.temporaryFolder("e2e-one-thread")
    let r = try TestSupport.run(["run", samplePipeline(folder), "--threads", "1", "--log-format", "json"])
    #expect(r.status == 0, "\(r.stderr)")
    var running: Set<String> = [], most = 0
    for line in r.stderr.split(separator: "\n") {
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let stage = object["stage"] as? String, ["rfm", "clv", "profit"].contains(stage) else { continue }
        if object["event"] as? String == "stage_start" { running.insert(stage) }
        if object["event"] as? String == "stage_end" { running.remove(stage) }
        most = max(most, running.count)
    }
    #expect(most == 1)
}
