import Foundation
import TierwiseAnalytics

/// manifest.json: what a run read, what it wrote and how each stage went. It records when
/// the run happened, so unlike the other outputs it differs from run to run.
struct Manifest: Codable {
    static let schemaVersion = 1

    struct Input: Codable {
        var name: String
        var path: String
        var bytes: Int64
        var sha256: String?
        var compression: String
        var rowsRead: Int
    }

    struct InputTotals: Codable {
        var name: String
        var rowsRead: Int
        var accepted: Int
        var rejected: Int
        var afterAsOf: Int
        var rejectsByReason: [String: Int]
        var reconciles: Bool
        var files: [Input]
    }

    struct Output: Codable {
        var path: String
        var rows: Int?
        var sha256: String
    }

    var schemaVersion = Manifest.schemaVersion
    var toolVersion = ToolVersion.current
    var asOf: String
    var pipelineFile: String?
    var pipelineSha256: String?
    var parameters: PipelineConfig
    var inputs: [InputTotals]
    var outputs: [Output]
    var stages: [StageRecord]
    var succeeded: Bool

    static func make(config: PipelineConfig, runner: PipelineRunner, outputs: [Output], reportFinished: Bool) -> Manifest {
        var stages = runner.orderedRecords()
        if reportFinished && !stages.contains(where: { $0.stage == .report }) {
            stages.append(StageRecord(stage: .report, status: .ok, fingerprint: "", started: nil, seconds: 0, message: "writing these outputs"))
        }
        let inputs = ((try? runner.loadCounts()) ?? []).map { c in
            InputTotals(name: c.name, rowsRead: c.rowsRead, accepted: c.accepted, rejected: c.rejected, afterAsOf: c.afterAsOf,
                        rejectsByReason: c.rejectsByReason, reconciles: c.reconciles,
                        files: c.files.map { Input(name: c.name, path: $0.path, bytes: $0.bytes, sha256: runner.inputHashes[$0.path],
                                                   compression: $0.compression, rowsRead: $0.rowsRead) })
        }
        return Manifest(asOf: runner.window.asOf.description, pipelineFile: config.sourcePath, pipelineSha256: config.sourceSha256,
                        parameters: config, inputs: inputs, outputs: outputs.sorted { $0.path < $1.path }, stages: stages, succeeded: reportFinished)
    }
}

extension PipelineRunner {
    /// After a failed run the manifest goes to the work folder: the final folder is untouched.
    func writeFailureManifest(_ records: [StageRecord]) throws {
        var m = Manifest.make(config: config, runner: self, outputs: [], reportFinished: false)
        m.stages = records
        try store.saveJSON(m, "manifest-failed.json")
    }
}
