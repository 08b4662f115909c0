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
/// table left on disk, and give what a clean full run gives.
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
    let recorded = json(folder + "/out/.work/2026-10-31/stages.json")
    #expect(recorded["ingest"] != nil && recorded["rfm"] != nil)
    #expect(recorded["features"] == nil, "an RFM-only run does not vouch for a features table it did not save")
    let full = try TestSupport.run(["run", other])
    #expect(full.status == 0, "\(full.stderr)")
    #expect(stages(full.stderr)["ingest"] == "skipped" && stages(full.stderr)["features"] == "ran")
    #expect(TestSupport.read(folder + "/out/2026-10-31/customers.csv") == TestSupport.read(folder + "/clean/2026-10-31/customers.csv"))
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
