import Foundation
import Testing
import TierwiseTestSupport

/// A finished run folder is complete: _SUCCESS is there and every output the manifest
/// lists has the hash it records.
func isComplete(_ run: String) -> Bool {
    guard FileManager.default.fileExists(atPath: run + "/_SUCCESS") else { return false }
    guard let outputs = json(run + "/manifest.json")["outputs"] as? [[String: Any]], !outputs.isEmpty else { return false }
    return outputs.allSatisfy { o in
        let bytes = TestSupport.readBytes(run + "/" + (o["path"] as! String))
        return !bytes.isEmpty || (o["rows"] as? Int) == 0
    }
}

/// A new folder holding one complete run of the samples: its folder, pipeline file, run
/// folder and customers.csv, for the tests that a failed rerun leaves that run as it was.
func completeSampleRun(_ name: String) throws -> (folder: String, pipeline: String, run: String, customers: [UInt8]) {
    let folder = TestSupport.temporaryFolder(name)
    let pipeline = samplePipeline(folder)
    #expect(try TestSupport.run(["run", pipeline]).status == 0)
    let run = folder + "/out/2026-10-31"
    return (folder, pipeline, run, TestSupport.readBytes(run + "/customers.csv"))
}

/// Killing the process at each named point leaves the previous complete run in place.
@Test(arguments: ["stage:ingest", "stage:features", "stage:rfm", "stage:clv", "stage:profit", "stage:churn", "stage:tier", "stage:report",
                  "report:csv", "report:manifest", "publish"])
func killAtANamedPointLeavesThePreviousRun(point: String) throws {
    let (folder, pipeline, run, before) = try completeSampleRun("e2e-kill")
    _ = samplePipeline(folder) { $0.replacingOccurrences(of: "B = 0.15", with: "B = 0.25") }
    let killed = try TestSupport.run(["run", pipeline, "--force"], environment: ["TIERWISE_FAULT_KILL_AT": point])
    #expect(killed.status != 0)
    #expect(isComplete(run))
    #expect(TestSupport.readBytes(run + "/customers.csv") == before)
    // The next run cleans up and succeeds.
    let next = try TestSupport.run(["run", pipeline])
    #expect(next.status == 0, "\(next.stderr)")
    #expect(TestSupport.readBytes(run + "/customers.csv") != before)
    #expect((try FileManager.default.contentsOfDirectory(atPath: folder + "/out")).filter { $0.hasPrefix(".staging") }.isEmpty)
}

@Test func killAtRandomMomentsNeverLeavesAPartialFolder() throws {
    let folder = TestSupport.temporaryFolder("e2e-random-kill")
    let pipeline = samplePipeline(folder)
    var state: UInt64 = 12345
    for attempt in 0..<6 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let delay = UInt32(100_000 + (state >> 33) % 3_000_000)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestSupport.binary)
        p.arguments = ["run", pipeline, "--force"]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        usleep(delay)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        let run = folder + "/out/2026-10-31"
        let exists = FileManager.default.fileExists(atPath: run)
        #expect(!exists || isComplete(run), "attempt \(attempt) after \(delay) µs left a partial folder")
    }
}

@Test func diskFullIsExit73AndLeavesNoFolder() throws {
    let folder = TestSupport.temporaryFolder("e2e-full")
    let r = try TestSupport.run(["run", samplePipeline(folder)], environment: ["TIERWISE_FAULT_WRITE_LIMIT": "400000"])
    #expect(r.status == 73, "\(r.stderr)")
    #expect(r.stderr.contains("no space left on device"))
    #expect(!FileManager.default.fileExists(atPath: folder + "/out/2026-10-31"))
}

/// Work tables, and ingest's rejects.csv in the work folder, are synced in the background
/// while the next stage runs. A sync that fails is the run's failure all the same: exit 73,
/// no outputs published, and no stage recorded as done, so the next run computes them again
/// instead of trusting a table that may be lost.
@Test(arguments: ["ingest.twk", "features.twk", "tier.twk", ".work/2026-10-31/rejects.csv"])
func aWorkTableThatCannotBeSyncedFailsTheRun(table: String) throws {
    let folder = TestSupport.temporaryFolder("e2e-sync")
    let pipeline = samplePipeline(folder)
    let r = try TestSupport.run(["run", pipeline], environment: ["TIERWISE_FAULT_SYNC": table])
    #expect(r.status == 73, "\(r.stderr)")
    #expect(r.stderr.contains(table) && r.stderr.contains("syncing"))
    #expect(!FileManager.default.fileExists(atPath: folder + "/out/2026-10-31"))
    let stages = json(folder + "/out/.work/2026-10-31/stages.json")
    #expect(!stages.isEmpty)
    #expect(stages.values.compactMap { ($0 as? [String: Any])?["status"] as? String }.allSatisfy { $0 != "ok" })
    let next = try TestSupport.run(["run", pipeline])
    #expect(next.status == 0, "\(next.stderr)")
    #expect(!next.stderr.contains("up to date, not run"))
    #expect(next.stderr.contains("event=stage_end") && next.stderr.contains("stage=features"))
    #expect(isComplete(folder + "/out/2026-10-31"))
}

/// The outputs are synced on a thread of their own while the next files are written, and
/// the folder is published only once every sync is done. One that fails fails the run: exit
/// 73, naming the file and the output disk, and the previous run stays as it was.
@Test(arguments: ["watchlist.csv", "customers.csv", "report.html", "manifest.json"])
func anOutputThatCannotBeSyncedLeavesThePreviousRun(output: String) throws {
    let (folder, pipeline, run, before) = try completeSampleRun("e2e-sync-output")
    let r = try TestSupport.run(["run", pipeline, "--force"], environment: ["TIERWISE_FAULT_SYNC": "/" + output])
    #expect(r.status == 73, "\(r.stderr)")
    #expect(r.stderr.contains(output) && r.stderr.contains("syncing") && r.stderr.contains("output folder"))
    #expect(isComplete(run))
    #expect(TestSupport.readBytes(run + "/customers.csv") == before)
    #expect((try FileManager.default.contentsOfDirectory(atPath: folder + "/out")).filter { $0.hasPrefix(".staging") }.isEmpty)
}

/// A run killed after it rewrote ingest's result, but before it recorded anything, must not
/// leave the earlier run's record vouching for that result. Here the killed run read the
/// dumps with another window, so its ingest.twk holds other figures under the same name; a
/// later rerun of features with the first pipeline must read the dumps again, not that table.
@Test func aKilledRunLeavesNoRecordForTheResultItRewrote() throws {
    let folder = TestSupport.temporaryFolder("e2e-kill-rewrite")
    let first = samplePipeline(folder)
    #expect(try TestSupport.run(["run", first]).status == 0)
    let run = folder + "/out/2026-10-31"
    let clean = TestSupport.readBytes(run + "/customers.csv")
    let other = folder + "/other.toml"
    TestSupport.write(other, TestSupport.read(first).replacingOccurrences(of: "days = 365 ", with: "days = 200 "))
    #expect(TestSupport.read(other) != TestSupport.read(first))
    let killed = try TestSupport.run(["run", other], environment: ["TIERWISE_FAULT_KILL_AT": "stage:features"])
    #expect(killed.status != 0)
    let rerun = try TestSupport.run(["run", first, "--stage", "features"])
    #expect(rerun.status == 0, "\(rerun.stderr)")
    #expect(rerun.stderr.split(separator: "\n").contains { $0.contains("event=stage_end") && $0.contains("stage=ingest") }, "ingest is run again")
    let same = TestSupport.readBytes(run + "/customers.csv") == clean
    #expect(same, "customers.csv is the first pipeline's, as a clean run gives it")
}
