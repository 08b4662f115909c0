import Foundation
import TierwiseAnalytics
import TierwiseIO

/// One shard of N (issue 9): shard K owns the customers whose id hashes to K,
/// `IdInterner.hash(id bytes) % N == K`. The hash is platform- and process-independent.
public struct ShardSpec: Sendable, Codable, Equatable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// "K/N", with 0 ≤ K < N ≤ 4096.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 4096, k >= 0, k < n else { return nil }
        self.init(index: k, count: n)
    }

    /// `K/N`; or `auto`: Slurm's SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT (an array
    /// `--array=0-(N-1)`), else Kubernetes' JOB_COMPLETION_INDEX with N from `auto/N` or
    /// TIERWISE_SHARD_COUNT.
    public static func resolve(_ text: String, environment env: [String: String]) throws -> ShardSpec {
        if text != "auto" && !text.hasPrefix("auto/") {
            guard let s = ShardSpec(text) else { throw PipelineError(.usage, "--shard \(text): expected K/N with 0 ≤ K < N, or auto, or auto/N") }
            return s
        }
        let given = text.hasPrefix("auto/") ? Int(text.dropFirst(5)) : nil
        if text.hasPrefix("auto/") && given == nil { throw PipelineError(.usage, "--shard \(text): expected auto/N with a whole number N") }
        if let k = env["SLURM_ARRAY_TASK_ID"] {
            let n = given ?? env["SLURM_ARRAY_TASK_COUNT"].flatMap { Int($0) } ?? env["TIERWISE_SHARD_COUNT"].flatMap { Int($0) }
            guard let n, let s = ShardSpec("\(k)/\(n)") else {
                throw PipelineError(.usage, "--shard auto: SLURM_ARRAY_TASK_ID=\(k) with SLURM_ARRAY_TASK_COUNT=\(env["SLURM_ARRAY_TASK_COUNT"] ?? "unset") is not a shard K/N; submit with --array=0-(N-1)")
            }
            return s
        }
        if let k = env["JOB_COMPLETION_INDEX"] {
            let n = given ?? env["TIERWISE_SHARD_COUNT"].flatMap { Int($0) }
            guard let n, let s = ShardSpec("\(k)/\(n)") else {
                throw PipelineError(.usage, "--shard auto: JOB_COMPLETION_INDEX=\(k) needs the shard count from --shard auto/N or TIERWISE_SHARD_COUNT")
            }
            return s
        }
        throw PipelineError(.usage, "--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set; give --shard K/N")
    }

    public var name: String { "shard-\(index)-of-\(count)" }
    public var description: String { "\(index)/\(count)" }

    @inline(__always)
    public func owner(of id: UnsafeRawBufferPointer) -> Int { Int(IdInterner.hash(id) % UInt64(count)) }

    @inline(__always)
    public func owns(_ id: UnsafeRawBufferPointer) -> Bool { owner(of: id) == index }

    /// Rows whose customer cannot be determined (structural rejects, no customer id and no
    /// known account) belong to shard 0.
    public var ownsUnattributed: Bool { index == 0 }
}

/// What a shard's ingest remembers about the other shards: the accounts they accepted, so a
/// transaction naming such an account is recognised as theirs (or as a CUSTOMER_MISMATCH),
/// and a repeated account id across shards is still a DUPLICATE_ACCOUNT. Only the ids are
/// kept (memory grows with all accounts, not with other shards' customers).
final class ShardFilter {
    let shard: ShardSpec
    var foreignAccounts = IdInterner(capacity: 1 << 16)
    init(shard: ShardSpec) { self.shard = shard }
}

/// Decides, for a transaction row that was rejected or after the as-of date, whether this
/// shard counts it: by the customer id when the row has one, else by its account's owner,
/// else shard 0.
struct ShardRowOwner {
    let filter: ShardFilter
    let header: HeaderMap
    let index: TransactionFieldIndex
    let accounts: IdInterner?
    let parser: CSVFieldParser
    let fields: RecordFields
    /// `--shard-input`: the file is this shard's part of a split export, so all its rows are this shard's.
    let splitInput: Bool

    init(filter: ShardFilter, header: HeaderMap, accounts: IdInterner?, delimiter: UInt8, maxFields: Int, splitInput: Bool = false) {
        self.splitInput = splitInput
        self.filter = filter
        self.header = header
        self.index = TransactionFieldIndex(header)
        self.accounts = accounts
        parser = CSVFieldParser(delimiter: delimiter, maxFields: maxFields)
        fields = RecordFields(parser: parser)
    }

    enum AccountKind { case none, own, foreign }

    /// Whether this shard owns record `r`, and whether its account belongs to another shard.
    func classify(_ chunk: RecordChunk, _ r: Int) -> (owned: Bool, hasCustomer: Bool, account: AccountKind) {
        let c = classifyByOwner(chunk, r)
        return splitInput ? (true, c.hasCustomer, c.account) : c
    }

    /// `--shard-input`: a row whose customer (by its id, or its account) is another shard's
    /// means the export was not split by this hash; stop rather than count it wrongly.
    func checkSplit(_ chunk: RecordChunk, _ r: Int, path: String) throws {
        guard splitInput else { return }
        let c = classifyByOwner(chunk, r)
        if !c.owned && (c.hasCustomer || c.account == .foreign) {
            throw PipelineError(.dataError, "\(path):\(chunk.lines[r]): --shard-input: this row's customer belongs to another shard than \(filter.shard.description); the export is not split by tierwise's customer hash (see the README, \"Past one machine\")")
        }
    }

    private func classifyByOwner(_ chunk: RecordChunk, _ r: Int) -> (owned: Bool, hasCustomer: Bool, account: AccountKind) {
        if structural(chunk, r, parser, fields, header: header) != nil { return (filter.shard.ownsUnattributed, false, .none) }
        var account = AccountKind.none
        if let accounts {
            account = fields.with(index.account) { b -> AccountKind in
                if accounts.find(b) != nil { return .own }
                if filter.foreignAccounts.find(b) != nil { return .foreign }
                return .none
            } ?? .none
        }
        if let owned = fields.with(index.customer, { filter.shard.owns($0) }) { return (owned, true, account) }
        switch account {
        case .own: return (true, false, account)
        case .foreign: return (false, false, account)
        case .none: return (filter.shard.ownsUnattributed, false, account)
        }
    }
}
