import Foundation
import Testing
import TierwiseTestSupport

/// The published maximum-likelihood estimates on the CDNOW sample (Fader, Hardie & Lee 2005).
let published: [String: Double] = ["r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258, "log_likelihood": -9582.43,
                                   "p": 6.2488, "q": 3.7446, "gamma": 15.4477]

/// The whole pipeline on the CDNOW transactions reproduces the published fits within 0.5 %.
/// Needs CDNOW_SAMPLE (scripts/test sets it through scripts/cdnow-fixture).
@Test(.enabled(if: ProcessInfo.processInfo.environment["CDNOW_SAMPLE"] != nil, "CDNOW_SAMPLE is not set"))
func cdnowRunMatchesThePublishedEstimates() throws {
    let folder = TestSupport.temporaryFolder("cdnow")
    var csv = "customer_id,booked_at,amount\n"
    let raw = TestSupport.read(ProcessInfo.processInfo.environment["CDNOW_SAMPLE"]!)
    for line in raw.split(whereSeparator: \.isNewline) {
        let f = line.split(whereSeparator: \.isWhitespace)
        guard f.count == 5 else { continue }
        let d = Array(f[2])
        csv += "\(f[1]),\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8])),\(f[4])\n"
    }
    TestSupport.write(folder + "/cdnow.csv", csv)
    let r = try TestSupport.run(["run", "--transactions", folder + "/cdnow.csv", "--as-of", "1997-09-30", "--output", folder + "/out"])
    #expect(r.status == 0, "\(r.stderr)")
    let summary = json(folder + "/out/1997-09-30/summary.json")
    let models = try #require(summary["models"] as? [String: Any])
    let bg = try #require(models["bgnbd"] as? [String: Any]), gg = try #require(models["gamma_gamma"] as? [String: Any])
    #expect(bg["customers"] as? Int == 2357)
    #expect(bg["converged"] as? Bool == true)
    #expect(gg["customers"] as? Int == 946)
    for (key, want) in published {
        let got = (bg[key] ?? gg[key]) as? Double ?? .nan
        #expect(abs(got - want) / abs(want) < 0.005, "\(key): \(got) against published \(want)")
    }
}
