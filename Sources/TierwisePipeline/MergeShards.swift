import Foundation
import TierwiseAnalytics
import TierwiseIO

/// `shard.json` in a shard's output folder: which shard it is, and what it was made from.
struct ShardManifest: Codable {
    var toolVersion: String
    var shard: Int
    var shards: Int
    var asOf: Day
    /// The ingest fingerprint of an unsharded run (inputs, as-of date, ingest parameters, tool version).
    var ingestFingerprint: String
    var inputIdentity: [String]
    var inputHashes: [String: String]
    /// `--shard-input`: the shard read its own part of a split transactions export.
    var splitInput: Bool
    /// The ingest fingerprint without the transactions' paths and identity.
    var sharedFingerprint: String
    var customers: Int
    var files: [String: String]
}

extension PipelineRunner {
    /// A shard run's last step: publish its features, ingest counts and rejects to
    /// `<output>/<as-of>/` (the output root is already `<output>/shard-K-of-N`), whole or nothing.
    func publishShard(_ shard: ShardSpec) throws {
        let asOf = window.asOf
        // features.twk, saved in the background, is read back below: wait until it is whole and synced.
        try store.sync.wait()
        let folder = try OutputFolder(root: config.run.output, name: asOf.description, fileMode: config.run.fileMode, folderMode: config.run.folderMode)
        do {
            var files: [String: String] = [:]
            for name in ["features.twk", "ingest.json", "rejects.csv"] {
                guard let bytes = try? Array(Data(contentsOf: URL(fileURLWithPath: store.path(name)))) else {
                    throw PipelineError(.software, "\(store.path(name)): a saved stage result is missing; run again with --force")
                }
                try FileSystem.writeFile(try folder.path(name), bytes, mode: config.run.fileMode)
                files[name] = SHA256.hex(bytes)
            }
            let manifest = ShardManifest(toolVersion: ToolVersion.current, shard: shard.index, shards: shard.count, asOf: asOf,
                                         ingestFingerprint: unshardedIngestFingerprint ?? "", inputIdentity: inputIdentity, inputHashes: inputHashes,
                                         splitInput: options.shardInput, sharedFingerprint: sharedIngestFingerprint ?? "",
                                         customers: try loadFeatures().count, files: files)
            try FileSystem.writeFile(try folder.path("shard.json"), Array(try JSONCoding.encode(manifest)), mode: config.run.fileMode)
            try folder.publish()
        } catch {
            folder.abandon()
            throw error
        }
    }
}

/// The shards a merge combines, checked to be K/N for every K of one N, with one as-of date
/// and one ingest fingerprint.
public struct ShardMergeInput: Sendable {
    let folders: [String]
    let manifests: [ShardManifest]
    public var asOf: Day { manifests[0].asOf }
    var splitInput: Bool { manifests[0].splitInput }
    var sharedFingerprint: String { manifests[0].sharedFingerprint }
    var ingestFingerprint: String { manifests[0].ingestFingerprint }
    /// Shard 0's inputs; for a split export, each shard's transactions files in shard order.
    var inputIdentity: [String] {
        guard splitInput else { return manifests[0].inputIdentity }
        return manifests.flatMap { $0.inputIdentity.filter { $0.hasPrefix("transactions ") } } + manifests[0].inputIdentity.filter { !$0.hasPrefix("transactions ") }
    }
    var inputHashes: [String: String] { manifests.reduce(into: [:]) { all, m in all.merge(m.inputHashes) { a, _ in a } } }

    /// Each path is a shard's run folder (holding shard.json), a shard's output root
    /// (`shard-K-of-N`, holding `<as-of>/`), or a folder holding `shard-K-of-N` folders.
    public static func load(_ paths: [String], asOf: Day?) throws -> ShardMergeInput {
        func runFolder(_ root: String) -> String? {
            if FileSystem.exists(root + "/shard.json") { return root }
            let days = FileSystem.list(root).filter { Day($0) != nil && FileSystem.exists(root + "/" + $0 + "/_SUCCESS") }
            if let asOf { return days.contains(asOf.description) ? root + "/" + asOf.description : nil }
            return days.max().map { root + "/" + $0 }
        }
        var found: [String] = []
        for p in paths {
            let p = p.hasSuffix("/") && p.count > 1 ? String(p.dropLast()) : p
            if let f = runFolder(p), FileSystem.exists(f + "/shard.json") { found.append(f); continue }
            let subs = FileSystem.list(p).filter { $0.hasPrefix("shard-") }.sorted()
            let folders = subs.compactMap { runFolder(p + "/" + $0) }
            guard !folders.isEmpty else {
                throw PipelineError(.noInput, "\(p): no shard result here (a folder with shard.json, or shard-K-of-N/<as-of>/ with _SUCCESS)")
            }
            found += folders
        }
        var pairs: [(String, ShardManifest)] = []
        for f in found {
            guard FileSystem.exists(f + "/_SUCCESS"), let bytes = FileSystem.readSmallFile(f + "/shard.json") else {
                throw PipelineError(.noInput, "\(f): not a complete shard result (no _SUCCESS or shard.json)")
            }
            pairs.append((f, try JSONCoding.decode(ShardManifest.self, from: Data(bytes))))
        }
        pairs.sort { $0.1.shard < $1.1.shard }
        let first = pairs[0].1
        let n = first.shards
        guard pairs.map(\.1.shard) == Array(0..<n), pairs.allSatisfy({ $0.1.shards == n }) else {
            throw PipelineError(.usage, "the merge needs each shard K/N exactly once for one N; got \(pairs.map { "\($0.1.shard)/\($0.1.shards)" }.joined(separator: ", "))")
        }
        for (f, m) in pairs {
            guard m.asOf == first.asOf else { throw PipelineError(.usage, "\(f): as-of date \(m.asOf), but shard 0 has \(first.asOf); run every shard with the same --as-of") }
            guard m.toolVersion == ToolVersion.current else { throw PipelineError(.usage, "\(f): made by tierwise \(m.toolVersion), this is \(ToolVersion.current)") }
            guard m.splitInput == first.splitInput else { throw PipelineError(.usage, "\(f): run \(m.splitInput ? "with" : "without") --shard-input, unlike shard 0; run every shard the same way") }
            guard first.splitInput ? m.sharedFingerprint == first.sharedFingerprint
                                   : m.ingestFingerprint == first.ingestFingerprint && m.inputIdentity == first.inputIdentity else {
                throw PipelineError(.usage, "\(f): made from other inputs or ingest parameters than shard 0; rerun the shards with one pipeline file")
            }
        }
        if let asOf, asOf != first.asOf { throw PipelineError(.usage, "--as-of \(asOf), but the shards describe \(first.asOf)") }
        return ShardMergeInput(folders: pairs.map(\.0), manifests: pairs.map(\.1))
    }

    /// Writes the merged ingest counts, features and rejects into the merge's work folder,
    /// so the runner continues from `features` as a single run would.
    func prepare(_ store: StageStore, rejectThreshold: Double, runner: PipelineRunner) throws {
        // Counts: rows read from shard 0 (every shard reads every row); the rest summed.
        var facts: [StageStore.IngestFacts] = []
        for f in folders {
            guard let bytes = FileSystem.readSmallFile(f + "/ingest.json") else { throw PipelineError(.noInput, "\(f)/ingest.json is missing") }
            facts.append(try JSONCoding.decode(StageStore.IngestFacts.self, from: Data(bytes)))
        }
        var merged = facts[0]
        for (s, other) in facts.enumerated().dropFirst() {
            // With --shard-input each shard read its own transactions files: those counts add up.
            func own(_ c: InputCounts) -> Bool { splitInput && c.name == "transactions" }
            guard other.counts.map(\.name) == merged.counts.map(\.name), other.hasAccounts == merged.hasAccounts, other.hasCustomers == merged.hasCustomers,
                  zip(other.counts, merged.counts).allSatisfy({ own($0) || ($0.rowsRead == $1.rowsRead && $0.files.map(\.path) == $1.files.map(\.path)) }) else {
                throw PipelineError(.usage, "\(folders[s]): its inputs differ from shard 0's (rows read or files); rerun the shards on the same inputs")
            }
            if splitInput { merged.transactionColumns = merged.transactionColumns.filter(other.transactionColumns.contains) }
            for i in merged.counts.indices {
                if own(merged.counts[i]) {
                    merged.counts[i].rowsRead += other.counts[i].rowsRead
                    merged.counts[i].files += other.counts[i].files
                    // A contract column counts as present only when every file has it, as in a single run.
                    merged.counts[i].columns = merged.counts[i].columns.filter(other.counts[i].columns.contains)
                }
                merged.counts[i].accepted += other.counts[i].accepted
                merged.counts[i].rejected += other.counts[i].rejected
                merged.counts[i].afterAsOf += other.counts[i].afterAsOf
                for (k, v) in other.counts[i].rejectsByReason { merged.counts[i].rejectsByReason[k, default: 0] += v }
            }
        }
        for c in merged.counts where !c.reconciles {
            throw PipelineError(.software, "\(c.name): rows do not reconcile after the merge (read \(c.rowsRead), accepted \(c.accepted), rejected \(c.rejected), after the as-of date \(c.afterAsOf))")
        }
        try runner.checkRejectThreshold(merged.counts)
        try mergeRejects(into: store.path("rejects.csv"), counts: merged.counts, mode: store.mode)
        try mergeFeatures(into: store.path("features.twk"), mode: store.mode)
        try store.saveJSON(merged, "ingest.json")
    }

    /// The shards' feature tables, concatenated and sorted by customer id (bytes), with the
    /// order `FeatureTable.build` puts them in.
    private func mergeFeatures(into path: String, mode: UInt32) throws {
        let tables = try folders.map { try WorkTable.read($0 + "/features.twk") }
        let ids = try tables.flatMap { try $0.string("customer_id") }
        let order = FeatureTable.byteOrder(ids)
        var out = try WorkTable(streamingTo: path, mode: mode)
        for name in tables[0].names {
            let parts = tables.map { $0.column(name) }
            if name == "flags" {
                guard parts.allSatisfy({ $0 == parts[0] }) else { throw PipelineError(.usage, "the shards disagree on which columns the inputs have; rerun them on the same inputs") }
                out.put(name, parts[0]!)
                continue
            }
            func gather<T>(_ extract: (WorkTable.Column?) -> [T]?) throws -> [T] {
                var all: [T] = []
                all.reserveCapacity(ids.count)
                for p in parts {
                    guard let v = extract(p) else { throw PipelineError(.software, "a shard's features.twk lacks the column \(name)") }
                    all += v
                }
                guard all.count == ids.count else { throw PipelineError(.software, "a shard's features.twk column \(name) has the wrong length") }
                return order.map { all[$0] }
            }
            switch parts[0] {
            case .int8?: out.put(name, .int8(try gather { if case .int8(let v)? = $0 { v } else { nil } }))
            case .uint8?: out.put(name, .uint8(try gather { if case .uint8(let v)? = $0 { v } else { nil } }))
            case .int32?: out.put(name, .int32(try gather { if case .int32(let v)? = $0 { v } else { nil } }))
            case .int64?: out.put(name, .int64(try gather { if case .int64(let v)? = $0 { v } else { nil } }))
            case .double?: out.put(name, .double(try gather { if case .double(let v)? = $0 { v } else { nil } }))
            case .string?: out.put(name, .string(try gather { if case .string(let v)? = $0 { v } else { nil } }))
            case nil: throw PipelineError(.software, "a shard's features.twk lacks the column \(name)")
            }
        }
        try out.finish()
    }

    /// The shards' rejects.csv, merged in the order a single run writes them: by input
    /// (customers, accounts, transactions), file, line.
    private func mergeRejects(into path: String, counts: [InputCounts], mode: UInt32) throws {
        var inputRank: [String: Int] = [:]
        var fileRank: [String: [String: Int]] = [:]
        for (i, c) in counts.enumerated() {
            inputRank[c.name] = i
            for (j, f) in c.files.enumerated() { fileRank[c.name, default: [:]][f.path] = j }
        }
        var header: [UInt8] = []
        var rows: [(key: (Int, Int, Int), bytes: [UInt8])] = []
        let parser = CSVFieldParser()
        for f in folders {
            let opened = try OpenedInput.open(f + "/rejects.csv")
            let chunker = RecordChunker(stream: opened.stream, path: f + "/rejects.csv")
            var first = true
            while let chunk = try chunker.next() {
                for r in 0..<chunk.count {
                    let bytes = chunk.withRecord(r) { Array($0) }
                    if first { header = bytes; first = false; continue }
                    guard chunk.withRecord(r, { parser.parse($0) }) == .ok, parser.fieldCount >= 3 else {
                        throw PipelineError(.software, "\(f)/rejects.csv: a record cannot be read")
                    }
                    let input = parser.string(0), file = parser.string(1)
                    let key = (inputRank[input] ?? Int.max, fileRank[input]?[file] ?? Int.max, Int(parser.string(2)) ?? 0)
                    rows.append((key, bytes))
                }
            }
        }
        if rows.isEmpty, let bytes = try? Data(contentsOf: URL(fileURLWithPath: folders[0] + "/rejects.csv")) {
            try FileSystem.writeFile(path, Array(bytes), mode: mode)
            return
        }
        rows.sort { $0.key < $1.key }
        var out: [UInt8] = header + [0x0A]
        for r in rows { out += r.bytes; out.append(0x0A) }
        try FileSystem.writeFile(path, out, mode: mode)
    }
}
