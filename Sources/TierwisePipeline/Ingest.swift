import Foundation
import TierwiseAnalytics
import TierwiseIO

/// The ingest stage: streams the dumps once, validates every row, writes rejects as they
/// are found, and folds accepted rows into per-customer state.
///
/// Transactions go through `ParallelChunks`: the stream is decompressed and cut into chunks
/// of whole records, the chunks are validated in parallel, and then, one chunk at a time in
/// file order, their rows are sequenced (duplicates, new customers) and folded, so the
/// result is the same on any number of threads.
struct Ingest {
    let config: PipelineConfig
    let threads: Int
    var progress: ((Int64, Int64) -> Void)? = nil
    /// Receives warnings that are not rejects (they name files, never customer data).
    var warn: (String) -> Void = { _ in }
    /// Shard mode (issue 9): keep only the customers of this shard; see ShardIngest.swift.
    var shard: ShardSpec? = nil
    /// With `shard`: the transactions files are this shard's part of a split export.
    var shardInput = false
    /// Called once the customers and accounts dumps are read, as the transactions start;
    /// returns a function that waits until the callee is done with the accounts, which
    /// ingest calls before they move.
    var dumpsRead: ((DumpsRead) -> () -> Void)? = nil

    /// Reads everything. `rejectsPath` receives rejects.csv, made durable by `sync`, which
    /// the run waits for before it records the stage as done: an fsync here, while the work
    /// table's first columns were on their way to disk, took 50 ms at the end of ingest on L.
    func run(rejectsPath: String, sync: BackgroundSync) throws -> IngestState {
        guard let asOf = try config.run.asOf ?? latestBookingDay() else {
            throw PipelineError(.dataError, "the transactions have no valid booking date to take the as-of date from; give --as-of YYYY-MM-DD")
        }
        let window = AnalysisWindow(asOf: asOf, windowDays: config.windowDays, recentDays: config.recentDays, salaryRecentDays: config.churn.salaryRecentDays)
        var state = IngestState(window: window)
        let rejects = try RejectWriter(path: rejectsPath, mode: config.run.fileMode)
        let currencies = CurrencyTable(reporting: config.run.reportingCurrency, rates: config.run.rates)
        // Shard mode (issue 9): the same reads, keeping only this shard's customers.
        let filter = shard.map { ShardFilter(shard: $0) }
        if let spec = config.customers { try readCustomers(spec, into: &state, rejects: rejects, filter: filter) }
        if let spec = config.accounts { try readAccounts(spec, into: &state, rejects: rejects, currencies: currencies, filter: filter) }
        try readTransactions(config.transactions, into: &state, rejects: rejects, currencies: currencies, filter: filter)
        _ = try rejects.finish(syncingOn: sync)
        return state
    }

    /// The as-of date when none is given: the latest booking day in the transactions. This
    /// costs one extra pass over the booking dates; giving `--as-of` avoids it.
    func latestBookingDay() throws -> Day? {
        let spec = config.transactions
        var latest: Day?
        let offset = TimeZoneOffset.seconds(for: config.run.timeZone, at: Day(number: 0)) ?? 0
        for path in try expandInputPaths(spec, input: "transactions") {
            let file = try CSVInputFile(input: "transactions", path: path, spec: spec, settings: config.run,
                                        columns: TransactionColumns.all, required: ["booked_at", "amount"])
            let parser = CSVFieldParser(delimiter: spec.delimiter, maxFields: config.run.maxFields)
            let fields = RecordFields(parser: parser)
            let column = file.header["booked_at"]
            while let (chunk, first) = try file.next() {
                for r in first..<chunk.count {
                    guard chunk.withRecord(r, { parser.parse($0) }) == .ok, parser.fieldCount == file.header.fieldCount else { continue }
                    if case .day(let d)? = fields.with(column, { DayParser.parse($0, utcOffsetSeconds: offset) }), latest == nil || d > latest! {
                        latest = d
                    }
                }
            }
        }
        return latest
    }

    /// How many frames of a `pzstd` transactions file to decode at a time. One thread decodes
    /// zstd at about 740 MB/s here, and an ingest thread parses, validates and folds about
    /// 62 MB/s, so one decoder keeps about 12 ingest threads busy: below 16 threads a second
    /// decoder would only hold more frames in memory (20 MiB more on 2 threads, no faster).
    static func zstdDecoders(threads: Int) -> Int { max(1, threads / 8) }

    func readTransactions(_ spec: InputSpec, into state: inout IngestState, rejects: RejectWriter, currencies: CurrencyTable, filter: ShardFilter? = nil) throws {
        var counts = InputCounts(name: "transactions")
        var ids = TxnIdSet()
        var columnsEverywhere: Set<String>? = nil
        let offset = TimeZoneOffset.seconds(for: config.run.timeZone, at: state.window.asOf) ?? 0
        let files = try expandInputPaths(spec, input: "transactions")
        let totalBytes = files.reduce(Int64(0)) { $0 + (FileSystem.sizeAndModified($1)?.size ?? 0) }
        var doneBytes: Int64 = 0
        let accountCustomer = state.accounts.map(\.customer)
        let directory = state.hasAccounts ? AccountDirectory(accounts: state.accountIds, owner: accountCustomer, customers: state.customerIds) : nil
        // The accounts leave the state while the rows are folded into them (see FoldPartitions).
        var accounts = state.accounts
        state.accounts = []
        try accounts.withUnsafeMutableBufferPointer { accountBuffer in
            // On an error too, nothing may still be reading the buffer when it goes away.
            let readDone = dumpsRead?(DumpsRead(accounts: UnsafeBufferPointer(accountBuffer), customerIds: state.customerIds, profiles: state.profiles))
            defer { readDone?() }
            let folds = FoldPartitions(accountMagnitude: &state.accountMagnitude, accounts: accountBuffer, threads: threads, window: state.window)
            // On an error too, no fold may still be writing when the buffer goes away.
            defer { folds.drain() }
            var sequence = 0
            for path in files {
                let file = try CSVInputFile(input: "transactions", path: path, spec: spec, settings: config.run,
                                            columns: TransactionColumns.all, required: ["booked_at", "amount"], decoders: Ingest.zstdDecoders(threads: threads))
                if let mismatch = file.nameMismatch { warn(mismatch) }
                if file.header["customer_id"] == nil && (file.header["account_id"] == nil || !state.hasAccounts) {
                    throw PipelineError(.dataError, "\(path):\(file.header.line): the transactions header has neither \"\(spec.header(for: "customer_id"))\" nor an \"\(spec.header(for: "account_id"))\" that an accounts dump resolves; one of them is required")
                }
                let present = Set(file.header.presentColumns)
                columnsEverywhere = columnsEverywhere.map { $0.intersection(present) } ?? present
                let shared = TransactionValidator.Shared(
                    header: file.header, index: TransactionFieldIndex(file.header), window: state.window, utcOffset: offset,
                    currencies: currencies, types: Vocabulary(contract: TransactionType.named, labels: spec.typeLabels),
                    channels: Vocabulary(contract: Channel.named, labels: spec.channelLabels), customers: state.customerIds,
                    accounts: state.hasAccounts ? state.accountIds : nil, accountCustomer: accountCustomer, directory: directory,
                    delimiter: spec.delimiter, maxFields: config.run.maxFields)
                var info = file.fileInfo
                let before = counts.rowsRead
                // Shard mode (issue 9): who owns a rejected or after-as-of row.
                let owner = filter.map { ShardRowOwner(filter: $0, header: file.header, accounts: state.hasAccounts ? state.accountIds : nil,
                                                       delimiter: spec.delimiter, maxFields: config.run.maxFields, splitInput: shardInput) }
                func fold(_ v: ValidatedChunk) throws {
                    let customers = try self.sequence(v, into: &state, counts: &counts, ids: &ids, rejects: rejects, path: path, owner: owner)
                    folds.fold(sequence: sequence, chunk: v, customers: customers, customerCount: state.profiles.count)
                    sequence += 1
                    progress?(doneBytes + v.bytesRead, totalBytes)
                }
                if threads <= 1 {
                    let validator = TransactionValidator(shared)
                    while let (chunk, first) = try file.next() {
                        var v = validator.validate(chunk, from: first)
                        v.bytesRead = file.opened.bytesRead
                        try fold(v)
                    }
                } else {
                    try ParallelChunks.run(workers: threads, next: { try file.next().map { ($0.chunk, $0.firstRecord, file.opened.bytesRead) } },
                                           makeWorker: { TransactionValidator(shared) },
                                           work: { validator, item in
                                               var v = validator.validate(item.0, from: item.1)
                                               v.bytesRead = item.2
                                               return v
                                           },
                                           consume: fold)
                }
                // Rows a running total turned away come after the file's other rejects, in file order.
                for r in folds.drainOverflow() {
                    counts.accepted -= 1
                    counts.rejected += 1
                    counts.rejectsByReason[RejectReason.amountOverflow.rawValue, default: 0] += 1
                    try rejects.write(input: "transactions", file: path, Reject(line: r.line, reason: .amountOverflow, field: "amount",
                                                                                detail: "the customer's or account's running total would pass the 64-bit limit",
                                                                                record: r.bytes))
                }
                info.rowsRead = counts.rowsRead - before
                doneBytes += file.opened.file.sizeAtOpen
                counts.files.append(info)
            }
            state.activity = folds.finish(customers: state.profiles.count)
        }
        state.accounts = accounts
        counts.columns = (columnsEverywhere ?? []).sorted()
        state.transactionColumns = columnsEverywhere ?? []
        state.counts.append(counts)
    }

    /// Goes through one validated chunk in record order, deciding duplicates and new customers
    /// and writing rejects, and returns each row's customer for `FoldPartitions` (−1: not folded).
    ///
    /// In shard mode (`owner` set, issue 9) only this shard's rows are folded and counted as
    /// accepted, rejected or after the as-of date; every row is counted as read.
    private func sequence(_ v: ValidatedChunk, into state: inout IngestState, counts: inout InputCounts, ids: inout TxnIdSet,
                          rejects: RejectWriter, path: String, owner: ShardRowOwner?) throws -> [Int32] {
        var customers = [Int32](repeating: -1, count: v.rows.count)
        counts.rowsRead += v.read
        if let owner, v.afterAsOf > 0 {
            let first = v.chunk.count - v.read
            var handled = [Bool](repeating: false, count: v.read)
            for row in v.rows { handled[Int(row.record) - first] = true }
            for r in v.rejects { handled[r.record - first] = true }
            for i in 0..<v.read where !handled[i] {
                try owner.checkSplit(v.chunk, first + i, path: path)
                if owner.classify(v.chunk, first + i).owned { counts.afterAsOf += 1 }
            }
        } else {
            counts.afterAsOf += v.afterAsOf
        }
        var k = 0
        func writeReject(_ record: Int, _ reason: RejectReason, _ field: String, _ detail: String) throws {
            counts.rejected += 1
            counts.rejectsByReason[reason.rawValue, default: 0] += 1
            try rejects.write(input: "transactions", file: path, Reject(line: v.chunk.lines[record], reason: reason, field: field, detail: detail,
                                                                        record: v.chunk.withRecord(record) { Array($0) }))
        }
        /// A validator reject; in shard mode only when this shard owns the row, and a row of this
        /// shard's customer whose account is another shard's is a CUSTOMER_MISMATCH, as in a single run.
        func validatorReject(_ r: (record: Int, reason: RejectReason, field: String, detail: String)) throws {
            guard let owner else { return try writeReject(r.record, r.reason, r.field, r.detail) }
            try owner.checkSplit(v.chunk, r.record, path: path)
            let c = owner.classify(v.chunk, r.record)
            guard c.owned else { return }
            if r.reason == .unknownAccount && c.hasCustomer && c.account == .foreign {
                try writeReject(r.record, .customerMismatch, "customer_id", "the accounts dump gives this account to another customer")
            } else {
                try writeReject(r.record, r.reason, r.field, r.detail)
            }
        }
        try v.ids.withUnsafeBytes { idBytes in
            try v.newCustomers.withUnsafeBytes { newBytes in
                for (i, row) in v.rows.enumerated() {
                    while k < v.rejects.count && v.rejects[k].record < Int(row.record) {
                        try validatorReject(v.rejects[k])
                        k += 1
                    }
                    // In shard mode, customers already interned are this shard's (no other shard's is ever interned).
                    var newId: UnsafeRawBufferPointer? = nil
                    if row.customer < 0 {
                        let n = Int(-row.customer) - 1
                        let start = n == 0 ? 0 : v.newCustomerEnds[n - 1]
                        let bytes = UnsafeRawBufferPointer(rebasing: newBytes[start..<v.newCustomerEnds[n]])
                        if let owner, !owner.filter.shard.owns(bytes) {
                            if owner.splitInput {
                                let s = owner.filter.shard
                                throw PipelineError(.dataError, "\(path):\(v.chunk.lines[Int(row.record)]): --shard-input: this row's customer belongs to shard \(s.owner(of: bytes))/\(s.count), not \(s.description); the export is not split by tierwise's customer hash (see the README, \"Past one machine\")")
                            }
                            continue
                        }
                        newId = bytes
                    }
                    if row.idEnd > row.idStart {
                        let id = UnsafeRawBufferPointer(rebasing: idBytes[Int(row.idStart)..<Int(row.idEnd)])
                        if !ids.insert(id) {
                            try writeReject(Int(row.record), .duplicateTxn, "txn_id", "the transaction id was seen earlier in the transactions")
                            continue
                        }
                    }
                    // The fold may still turn the row away (AMOUNT_OVERFLOW); the count is corrected then.
                    // Interning first is safe: a customer this row creates has zero sums, which one row cannot overflow.
                    customers[i] = newId.map { state.customerWithoutActivity($0) } ?? row.customer
                    counts.accepted += 1
                }
            }
        }
        while k < v.rejects.count {
            try validatorReject(v.rejects[k])
            k += 1
        }
        return customers
    }
}
