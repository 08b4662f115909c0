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

/// Without a customers dump every customer is first seen in the transactions, so the fold's
/// buffer grows while rows are being folded on other threads; and the running-total overflow
/// rejects are found on the fold threads. Both must come out the same on any number of threads.
@Test func foldGrowthAndOverflowRejectsAreTheSameOnAnyNumberOfThreads() throws {
    let folder = TestSupport.temporaryFolder("e2e-fold-threads")
    var lines = ["txn_id,customer_id,booked_at,amount,currency,type,channel,fee"]
    for c in 0..<3_000 {
        for k in 0..<5 { lines.append("T\(c)-\(k),C\(c),2026-0\(1 + k)-1\(c % 9),-\(c % 97 + 1).25,EUR,card,pos,0.10") }
    }
    // Two customers with 9,300 payments each of the largest accepted amount, interleaved: the
    // last 77 of each pass the customer's Int64 totals, and the two are folded on different threads.
    for n in 0..<9_300 {
        lines.append("X\(n),CX1,2026-01-15,-100000000000.00,EUR,card,pos,0")
        lines.append("Y\(n),CX2,2026-01-15,-100000000000.00,EUR,card,pos,0")
    }
    lines.append("T5-0,C5,2026-02-01,-1.00,EUR,card,pos,0")  // a repeated txn id
    let input = folder + "/t.csv"
    try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
    var results: [[String: [UInt8]]] = []
    for threads in [1, 2, 5] {
        let out = folder + "/t\(threads)"
        let r = try TestSupport.run(["run", "--transactions", input, "--as-of", "2026-10-31", "--output", out, "--threads", "\(threads)"])
        #expect(r.status == 0, "\(r.stderr)")
        results.append(outputs(out + "/2026-10-31"))
    }
    let rejects = String(decoding: results[0]["rejects.csv"] ?? [], as: UTF8.self)
    #expect(rejects.components(separatedBy: "AMOUNT_OVERFLOW").count - 1 == 154)
    #expect(rejects.components(separatedBy: "DUPLICATE_TXN").count - 1 == 1)
    let customers = String(decoding: results[0]["customers.csv"] ?? [], as: UTF8.self)
    #expect(customers.split(separator: "\n").count == 3_003)  // header, 3,000 customers, CX1 and CX2
    for k in 1..<results.count {
        for (name, bytes) in results[0] { #expect(results[k][name] == bytes, "\(name) differs on \([1, 2, 5][k]) threads") }
    }
}
