import Foundation
import LifetimeValue
import TierwiseAnalytics
import TierwiseIO
import TierwiseReports

/// The report stage: writes every output file into a staging folder, then the manifest and
/// `_SUCCESS`, and swaps the folder into `<output>/<as-of>/`.
struct ReportStage {
    let runner: PipelineRunner

    /// Returns how many output files were written.
    func publish() throws -> Int {
        let r = runner
        let config = r.config
        let t = try r.loadFeatures()
        let data = ReportData(
            features: t, rfm: try r.loadRFM(), clv: try r.loadCLV(), profit: try r.loadProfit(), churn: try r.loadChurn(), tier: try r.loadTier(),
            tierParameters: config.tier, currency: config.run.reportingCurrency, toolVersion: ToolVersion.current, previousRun: r.previousRun,
            dataQuality: dataQuality(try r.loadCounts()), stages: r.orderedRecords().map { Summary.StageTiming(stage: $0.stage.rawValue, status: $0.status.rawValue, seconds: $0.seconds) },
            pipelineFile: config.sourcePath, parameters: parameterList(config))
        let folder = try OutputFolder(root: config.run.output, name: t.window.asOf.description, fileMode: config.run.fileMode, folderMode: config.run.folderMode)
        do {
            let watchlist = SummaryBuilder.watchlistOrder(data)
            let writer = CustomerOutputs(data: data, watchlistOrder: watchlist, folder: folder, config: config, threads: r.options.threads)
            // Every file is independent of the others: they are written at the same time, one
            // per core. The files made from the summary are one job, which builds the summary
            // first (0.2 s on L, on one core) while customers.csv is written; it starts second.
            let fromSummary = {
                let summary = SummaryBuilder.build(data, watchlist: watchlist)
                return [
                    try writer.managers(summary),
                    try writeText(folder, "summary.json", String(decoding: try SummaryJSON.encode(summary), as: UTF8.self), rows: nil),
                    try writeText(folder, "report.md", MarkdownReport.render(summary), rows: nil),
                    try writeText(folder, "report.html", HTMLReport.render(summary, stages: data.stages, parameters: data.parameters), rows: nil),
                ]
            }
            // The manifest lists the files by path.
            let jobs = writer.jobs()
            let outputs = try runConcurrently(jobs.longest.map { job in { [try job()] } } + [fromSummary] + jobs.rest.map { job in { [try job()] } }
                                              + [{ [try copyRejects(into: folder)] }], threads: r.options.threads).flatMap { $0 }
            try FaultPoints.hit("report:csv")
            try FaultPoints.hit("report:manifest")
            let manifest = Manifest.make(config: config, runner: r, outputs: outputs, reportFinished: true)
            try FileSystem.writeFile(try folder.path("manifest.json"), Array(try JSONCoding.encode(manifest)), mode: config.run.fileMode, syncingOn: folder.sync)
            // The work tables this run saved are durable before its outputs appear.
            try r.store.sync.wait()
            try folder.publish()
            if let note = folder.publishNote { r.logger.warning("\(note)", metadata: ["event": "publish"]) }
            return outputs.count + 2
        } catch {
            folder.abandon()
            throw error
        }
    }

    private func writeText(_ folder: OutputFolder, _ name: String, _ text: String, rows: Int?) throws -> Manifest.Output {
        let bytes = Array(text.utf8)
        try FileSystem.writeFile(try folder.path(name), bytes, mode: runner.config.run.fileMode, syncingOn: folder.sync)
        return Manifest.Output(path: name, rows: rows, sha256: SHA256.hex(bytes))
    }

    /// rejects.csv is written by ingest into the work folder as rows are found; the run's
    /// folder gets a copy so it is complete on its own.
    func copyRejects(into folder: OutputFolder) throws -> Manifest.Output {
        let source = runner.store.path("rejects.csv")
        let target = try folder.path("rejects.csv")
        let input = try FileStream(path: source)
        let sink = try FileSink(path: target, mode: runner.config.run.fileMode)
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try input.read(into: $0) }
            if n == 0 { break }
            try buffer.withUnsafeBytes { raw in
                let part = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                hasher.update(part)
                try sink.write(part)
            }
        }
        try sink.finish(syncingOn: folder.sync)
        let rejected = try runner.loadCounts().reduce(0) { $0 + $1.rejected }
        return Manifest.Output(path: "rejects.csv", rows: rejected, sha256: hasher.finalize())
    }

    private func dataQuality(_ counts: [InputCounts]) -> Summary.DataQuality {
        let inputs = counts.map { c in
            Summary.InputQuality(name: c.name, files: c.files.map { Summary.FileQuality(path: $0.path, bytes: $0.bytes, sha256: runner.inputHashes[$0.path], compression: $0.compression) },
                                 rowsRead: c.rowsRead, accepted: c.accepted, rejected: c.rejected, afterAsOf: c.afterAsOf, rejectsByReason: c.rejectsByReason)
        }
        let rejected = counts.reduce(0) { $0 + $1.rejected }
        return Summary.DataQuality(inputs: inputs, rejectThreshold: runner.config.run.rejectThreshold,
                                   status: rejected == 0 ? "ok" : "rejects below the threshold")
    }

    private func parameterList(_ c: PipelineConfig) -> [(String, String)] {
        var out: [(String, String)] = [
            ("as-of date", c.window?.asOf.description ?? runner.window.asOf.description),
            ("window", "\(c.windowDays) days"), ("recent period", "\(c.recentDays) days"),
            ("reporting currency", c.run.reportingCurrency), ("reject threshold", "\(c.run.rejectThreshold * 100) %"),
            ("CLV", "\(c.clv.timeUnit.rawValue), \(c.clv.horizonMonths) months, \(c.clv.annualDiscountRate * 100) % a year"),
            ("tier shares", "A \(c.tier.shareA * 100) %, B \(c.tier.shareB * 100) %, C \(c.tier.shareC * 100) %"),
            ("value-score weights", "CLV \(c.tier.weightClv), profit \(c.tier.weightProfit), balance \(c.tier.weightBalance), RFM \(c.tier.weightRfm)"),
            ("private-banking threshold", "\(Money.format(Int64((c.tier.privateBankingThreshold * 10_000).rounded()), decimals: 0)) \(c.run.reportingCurrency)"),
            ("dormant after", "\(c.churn.dormantDays) days"),
        ]
        if let p = c.sourcePath { out.insert(("pipeline file", p + (c.sourceSha256.map { " (SHA-256 \($0.prefix(16))…)" } ?? "")), at: 0) }
        return out
    }
}

/// summary.json's encoder: snake_case keys, sorted, pretty, so downstream diffs stay readable.
enum SummaryJSON {
    static func encode(_ s: Summary) throws -> Data {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try e.encode(s)
    }
}
