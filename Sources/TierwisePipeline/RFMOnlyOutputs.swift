import TierwiseAnalytics
import TierwiseIO

/// `tierwise run --rfm-only`: ingest, features and RFM, then a run folder with
/// customers.csv holding the RFM columns, rejects.csv and the manifest. It is published
/// whole like a full run (staging folder, `_SUCCESS` last), and replaces any run of the
/// same day, so it is meant for a separate output folder.
struct RFMOnlyOutputs {
    let runner: PipelineRunner

    static let columns = ["customer_id", "recency_days", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_cell", "rfm_segment"]

    func publish() throws {
        let r = runner, config = r.config
        let t = try r.loadFeatures(), rfm = try r.loadRFM()
        let folder = try OutputFolder(root: config.run.output, name: t.window.asOf.description, fileMode: config.run.fileMode, folderMode: config.run.folderMode)
        do {
            let path = try folder.path("customers.csv")
            let w = try CSVWriter(sink: try FileSink(path: path, mode: config.run.fileMode), path: "customers.csv", header: Self.columns)
            try writeRows(t.count, to: w, threads: r.options.threads) { w, i in
                w.text(t.ids[i])
                if let rec = t.recency(i) { w.integer(Int64(rec)) } else { w.empty() }
                w.integer(Int64(t.frequency[i])); w.decimal(t.monetary[i])
                w.integer(Int64(rfm.r[i])); w.integer(Int64(rfm.f[i])); w.integer(Int64(rfm.m[i]))
                w.integer(Int64(rfm.r[i]) * 100 + Int64(rfm.f[i]) * 10 + Int64(rfm.m[i])); w.text(rfm.segmentName(i))
                try w.endRow()
            }
            let sha = try w.finish(syncingOn: folder.sync)
            let rejects = try ReportStage(runner: r).copyRejects(into: folder)
            let manifest = Manifest.make(config: config, runner: r, outputs: [Manifest.Output(path: "customers.csv", rows: w.rows, sha256: sha), rejects],
                                         reportFinished: false)
            try FileSystem.writeFile(try folder.path("manifest.json"), Array(try JSONCoding.encode(manifest)), mode: config.run.fileMode, syncingOn: folder.sync)
            // The work tables this run saved are durable before its outputs appear.
            try r.store.sync.wait()
            try folder.publish()
        } catch {
            folder.abandon()
            throw error
        }
    }
}
