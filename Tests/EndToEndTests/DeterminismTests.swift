import Foundation
import Testing
import TierwiseTestSupport

/// Every output file of a run folder except the two that record the run itself
/// (manifest.json: times; report.html: its data-quality section shows stage timings).
func outputs(_ run: String) -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    let e = FileManager.default.enumerator(atPath: run)!
    while let name = e.nextObject() as? String {
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: run + "/" + name, isDirectory: &isDir)
        if isDir.boolValue || name == "manifest.json" || name == "report.html" { continue }
        files[name] = TestSupport.readBytes(run + "/" + name)
    }
    return files
}

@Test func outputsAreByteIdenticalOnOneTwoAndEightThreads() throws {
    let folder = TestSupport.temporaryFolder("e2e-threads")
    var results: [[String: [UInt8]]] = []
    for threads in [1, 2, 8] {
        let out = folder + "/t\(threads)"
        let pipeline = samplePipeline(out)
        let r = try TestSupport.run(["run", pipeline, "--threads", "\(threads)"])
        #expect(r.status == 0, "\(r.stderr)")
        results.append(outputs(out + "/out/2026-10-31"))
    }
    #expect(results[0].count >= 12)
    for k in 1..<results.count {
        for (name, bytes) in results[0] { #expect(results[k][name] == bytes, "\(name) differs") }
    }
}
