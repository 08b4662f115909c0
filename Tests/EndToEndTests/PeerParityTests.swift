import Foundation
import Testing
import TierwiseTestSupport

/// DuckDB is the independent implementation of the same RFM definitions
/// (../shared/bench/peer.py); scripts/test installs it from PyPI.
let duckdbAvailable: Bool = {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", "import duckdb, numpy"]
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
}()

let benchFolder = TestSupport.packageRoot + "/../shared/bench"

func python(_ args: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3"] + args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

/// RFM values and scores on generated data equal DuckDB's, customer by customer.
@Test(.enabled(if: duckdbAvailable && FileManager.default.fileExists(atPath: benchFolder + "/peer.py"), "python3 with duckdb and numpy, and ../shared/bench, are needed"))
func rfmEqualsTheDuckDBPeer() throws {
    let folder = TestSupport.temporaryFolder("parity")
    #expect(try python([benchFolder + "/gen.py", "--txns", "60000", "--customers", "4000", "--seed", "11", "--out", folder + "/data"]) == 0)
    #expect(try python([benchFolder + "/peer.py", "rfm", folder + "/data", folder + "/peer.csv"]) == 0)
    let r = try TestSupport.run(["run", "--transactions", folder + "/data/transactions.csv", "--accounts", folder + "/data/accounts.csv",
                                 "--customers", folder + "/data/customers.csv", "--as-of", "2026-10-31", "--output", folder + "/out", "--rfm-only"])
    #expect(r.status == 0, "\(r.stderr)")
    let ours = TestSupport.records(folder + "/out/2026-10-31/customers.csv")
    var peer: [String: [String: String]] = [:]
    for row in TestSupport.records(folder + "/peer.csv") { peer[row["customer_id"]!] = row }
    #expect(ours.count == 4000)
    #expect(ours.count == peer.count)
    var differences = 0
    for row in ours {
        guard let p = peer[row["customer_id"]!] else { differences += 1; continue }
        for column in ["recency_days", "frequency", "r_score", "f_score", "m_score"] where row[column] != p[column] {
            differences += 1
            if differences < 5 { Issue.record("\(row["customer_id"]!) \(column): tierwise \(row[column]!), DuckDB \(p[column]!)") }
        }
        if abs((Double(row["monetary"]!) ?? -1) - (Double(p["monetary"]!) ?? -2)) >= 0.005 { differences += 1 }
    }
    #expect(differences == 0)
}
