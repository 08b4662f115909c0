import Foundation
import TierwiseIO

/// The fingerprint of a stage's result: a SHA-256 over everything it was made from (the tool
/// version, the stage's own parameters, its upstream fingerprints, and for ingest the input
/// files). A saved result whose fingerprint matches is reused.
enum Fingerprint {
    static func of(stage: StageName, parameters: String, upstream: [String], extra: [String] = []) -> String {
        var h = SHA256()
        h.update("tierwise \(ToolVersion.current)\n")
        h.update("stage \(stage.rawValue)\n")
        h.update("parameters \(parameters)\n")
        for u in upstream { h.update("upstream \(u)\n") }
        for e in extra { h.update("input \(e)\n") }
        return h.finalize()
    }

    /// A JSON text of the parameters with sorted keys, for hashing.
    static func parameters<T: Encodable>(_ value: T) -> String {
        (try? JSONCoding.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Identity of an input file: path, size and modification time, and a content hash for
    /// files up to `hashLimit` bytes.
    static func identity(of path: String, hashLimit: Int64) throws -> (text: String, sha256: String?) {
        guard let st = FileSystem.sizeAndModified(path) else {
            throw PipelineError(.noInput, "\(path): the input does not exist")
        }
        var sha: String? = nil
        if st.size <= hashLimit { sha = try sha256(ofFile: path) }
        return ("\(path) \(st.size) \(st.modified) \(sha ?? "-")", sha)
    }
}

public enum ToolVersion {
    public static let current = "0.1.0"
}
