import Foundation
import Testing
import TierwiseTestSupport

/// Runs the sample pipeline once for the report tests.
let sampleRun: String = {
    let folder = TestSupport.temporaryFolder("e2e-report")
    let r = try! TestSupport.run(["run", samplePipeline(folder), "--threads", "2"])
    precondition(r.status == 0, r.stderr)
    return folder + "/out/2026-10-31"
}()

/// Compares a file with its snapshot in Tests/EndToEndTests/Snapshots. Machine-specific
/// paths are replaced first. `TIERWISE_RECORD_SNAPSHOTS=1 scripts/test` re-records.
func checkSnapshot(_ name: String, _ text: String) {
    let normalised = text.replacingOccurrences(of: TestSupport.packageRoot, with: "<root>")
    let path = TestSupport.packageRoot + "/Tests/EndToEndTests/Snapshots/" + name
    if ProcessInfo.processInfo.environment["TIERWISE_RECORD_SNAPSHOTS"] == "1" || !FileManager.default.fileExists(atPath: path) {
        TestSupport.write(path, normalised)
        return
    }
    // Markdown tables pad columns to the longest cell, and a cell may hold a path whose length
    // depends on where the clone lives: compare tables with their padding folded.
    func folded(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("|") else { return String(line) }
            var out = ""
            var last: Character = "|"
            for c in line where !((c == " " || c == "-") && c == last) {
                out.append(c)
                last = c
            }
            return out
        }.joined(separator: "\n")
    }
    let expected = folded(TestSupport.read(path))
    let actual = folded(normalised)
    if expected != actual {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false), b = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }
        Issue.record("\(name) differs from its snapshot at line \((first?.offset ?? min(a.count, b.count)) + 1): expected «\(first?.element.0 ?? "")», got «\(first?.element.1 ?? "")». Re-record with TIERWISE_RECORD_SNAPSHOTS=1 if the change is intended.")
    }
}

@Test func reportMarkdownMatchesItsSnapshot() {
    checkSnapshot("sample-report.md", TestSupport.read(sampleRun + "/report.md"))
}

@Test func summaryJSONMatchesItsSnapshot() {
    checkSnapshot("sample-summary.json", TestSupport.read(sampleRun + "/summary.json"))
}

@Test func summaryJSONHasTheDocumentedContract() throws {
    let s = json(sampleRun + "/summary.json")
    #expect(s["schema_version"] as? Int == 1)
    for key in ["headline", "profit", "tiers", "rfm", "models", "churn", "tier_movement", "managers", "data_quality", "notes", "as_of"] {
        #expect(s[key] != nil, "\(key) missing")
    }
    let bg = (s["models"] as! [String: Any])["bgnbd"] as! [String: Any]
    for key in ["r", "alpha", "a", "b", "log_likelihood", "customers", "converged", "iterations"] { #expect(bg[key] != nil, "models.bgnbd.\(key)") }
    let gg = (s["models"] as! [String: Any])["gamma_gamma"] as! [String: Any]
    for key in ["p", "q", "gamma", "log_likelihood", "customers"] { #expect(gg[key] != nil, "models.gamma_gamma.\(key)") }
    // Every key documented in docs/summary-json.md.
    let doc = TestSupport.read(TestSupport.packageRoot + "/docs/summary-json.md")
    func walk(_ value: Any, _ path: String) {
        if let d = value as? [String: Any] {
            let free = ["by_flag", "by_severity", "by_tier", "rejects_by_reason", "weights"].contains { path.hasSuffix($0) }
            for (k, v) in d where !free {
                let p = path.isEmpty ? k : path + "." + k
                #expect(doc.contains("`\(p)`"), "\(p) is not documented in docs/summary-json.md")
                walk(v, p)
            }
        } else if let a = value as? [Any], let first = a.first {
            walk(first, path + "[]")
        }
    }
    walk(s, "")
    // Aggregates and ids only: no segment or branch text from the inputs.
    #expect(!TestSupport.read(sampleRun + "/summary.json").contains("\"retail\""))
}

@Test func reportHTMLIsSelfContainedAndHasEverySection() {
    let html = TestSupport.read(sampleRun + "/report.html")
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.hasSuffix("</html>\n") || html.hasSuffix("</html>"))
    for forbidden in ["<script", "http://", "https://", "src=", "<link", "@import"] {
        #expect(!html.contains(forbidden), "\(forbidden) found")
    }
    // url() may only point inside the page (SVG patterns).
    #expect(html.components(separatedBy: "url(").count == html.components(separatedBy: "url(#").count)
    for section in ["Headline figures", "Tiers", "RFM", "Lifetime value", "Churn warnings", "Tier movement", "Relationship managers", "Data quality"] {
        #expect(html.contains(">\(section)<"), "section \(section) missing")
    }
    #expect(html.components(separatedBy: "<svg").count - 1 >= 10, "charts missing")
    // Tags balance for the elements the page is built from.
    for tag in ["section", "table", "svg", "div", "p"] {
        let open = html.components(separatedBy: "<\(tag)>").count + html.components(separatedBy: "<\(tag) ").count - 2
        let close = html.components(separatedBy: "</\(tag)>").count - 1
        #expect(open == close, "<\(tag)> opened \(open) times, closed \(close)")
    }
}
