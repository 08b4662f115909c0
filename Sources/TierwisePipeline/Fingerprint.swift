import Foundation
import TierwiseAnalytics
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

/// The identities of a run's input files (`Fingerprint.identity`), worked out on threads of
/// their own while the run goes on. Hashing L's zstd transactions export (169 MB) held the
/// start of ingest back by 0.2 s; a run whose ingest must run anyway needs the identities
/// only to record the stage, by which time they are long done.
final class InputIdentification: @unchecked Sendable {
    private let done = DispatchGroup()
    private var result: Result<[(text: String, sha256: String?)], Error> = .success([])

    /// Starts hashing `paths`, as many at a time as `threads`, on threads of lower priority
    /// (`mapOnLowPriorityThreads`).
    init(paths: [String], hashLimit: Int64, threads: Int) {
        done.enter()
        mapOnLowPriorityThreads(paths.count, threads: threads, { k in
            Result { try Fingerprint.identity(of: paths[k], hashLimit: hashLimit) }
        }, done: { [self] identities in
            result = Result { try identities.map { try $0.get() } }
            done.leave()
        })
    }

    /// The identities in the order of `paths`, once every file is hashed.
    func wait() throws -> [(text: String, sha256: String?)] {
        done.wait()
        return try result.get()
    }
}
