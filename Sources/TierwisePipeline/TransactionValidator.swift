import TierwiseAnalytics
import TierwiseIO

/// A transaction row that passed validation, waiting to be folded into its customer.
struct ValidatedRow {
    var record: Int32
    /// ≥ 0: a customer known before this file; < 0: new id number −(k+1) of this chunk.
    var customer: Int32
    /// The account index, or −1.
    var account: Int32
    /// The txn_id's bytes in `ValidatedChunk.ids`, or an empty range.
    var idStart: Int32
    var idEnd: Int32
    var txn: Transaction
}

/// One chunk after validation: accepted rows, rejects, and rows after the as-of date.
/// Produced on any worker; folded on one thread in chunk order, so duplicates and new
/// customers are decided in file order whatever the number of threads.
struct ValidatedChunk {
    var chunk: RecordChunk
    var rows: [ValidatedRow] = []
    var rejects: [(record: Int, reason: RejectReason, field: String, detail: String)] = []
    var ids: [UInt8] = []
    var newCustomers: [UInt8] = []
    var newCustomerEnds: [Int] = []
    var read = 0
    var afterAsOf = 0
    /// Bytes of the file read when this chunk was cut, for the progress line.
    var bytesRead: Int64 = 0
}

/// Field positions of the transactions file, resolved once from the header.
struct TransactionFieldIndex {
    var customer, account, txnId, bookedAt, amount, currency, type, channel, fee: Int?

    init(_ h: HeaderMap) {
        customer = h["customer_id"]; account = h["account_id"]; txnId = h["txn_id"]; bookedAt = h["booked_at"]
        amount = h["amount"]; currency = h["currency"]; type = h["type"]; channel = h["channel"]; fee = h["fee"]
    }
}

/// Validates and normalises transaction rows of a chunk. One per worker thread: it owns a
/// libcsv parser; the lookups it shares (customers and accounts known before the file) are
/// read-only snapshots, so workers need no locks.
final class TransactionValidator {
    struct Shared {
        var header: HeaderMap
        var index: TransactionFieldIndex
        var window: AnalysisWindow
        var utcOffset: Int
        var currencies: CurrencyTable
        var types: Vocabulary<TransactionType>
        var channels: Vocabulary<Channel>
        var customers: IdInterner
        var accounts: IdInterner?
        var accountCustomer: [Int32]
        /// The accounts by dense key, when they are dense enough (see `AccountDirectory`).
        var directory: AccountDirectory?
        var delimiter: UInt8
        var maxFields: Int
    }

    private let s: Shared
    private let parser: CSVFieldParser
    private let fields: RecordFields
    /// Rows of the current batch that passed every check but the id lookups; kept between
    /// batches so a chunk allocates nothing once it has grown.
    private var pending: [PendingRow] = []
    /// The bytes of the pending rows' ids, one after another. A `ByteBuffer` rather than an
    /// array: three small appends a row through `Array.append(contentsOf:)` and its
    /// uniqueness checks were 5 % of the ingest's CPU.
    private var idBytes = ByteBuffer(capacity: 4096)
    /// The previous row's booking date and what it parsed to: an export lists a day's rows
    /// together, so nearly every row repeats the date of the row before.
    private var lastDate: (bytes: PackedBytes, result: DayParser.Result)?

    /// How many rows are parsed before their ids are looked up together (see `validate`).
    static let batch = 32

    /// A row between the checks of its own fields and the lookups of its ids: byte ranges
    /// in `idBytes` (empty when the field is absent or empty), and the account once found.
    private struct PendingRow {
        var record: Int32
        var txn: Transaction
        var txnId: Range<Int32>
        var accountId: Range<Int32>
        var customerId: Range<Int32>
        /// Set by the account lookup: the account index, −1 none, −2 not in the accounts dump.
        var account: Int32 = -1
        /// The customer the account belongs to, when `account` ≥ 0, and that customer's dense
        /// key when the directory gave it (else −1).
        var accountCustomer: Int32 = -1
        var ownerKey = -1
        /// Set by the customer lookup: the customer id's index, or −1 for an id not known before this file.
        var customer: Int32 = -1
        /// The ids' places in their interners' dense arrays (`IdInterner.denseKey`).
        var accountKey = -1
        var customerKey = -1
        /// Set when the row is accepted, so its txn_id is copied into the chunk.
        var accepted = false
    }

    init(_ shared: Shared) {
        s = shared
        parser = CSVFieldParser(delimiter: shared.delimiter, maxFields: shared.maxFields)
        fields = RecordFields(parser: parser)
        pending.reserveCapacity(Self.batch)
    }

    /// Copies the bytes of field `index` after the batch's other ids; an absent field gives an empty range.
    @inline(__always)
    private func keep(_ index: Int?) -> Range<Int32> {
        let from = idBytes.count
        fields.with(index) { idBytes.append($0) }
        return Int32(from)..<Int32(idBytes.count)
    }

    /// Validates the records of `chunk` from `first` on.
    ///
    /// Looking up an account or customer id is a cache miss into tables of a million entries,
    /// and between two rows' lookups lie hundreds of instructions of parsing, so the processor
    /// never had two misses in flight. Rows are therefore taken in batches: each is parsed and
    /// checked on its own, then the batch's ids are looked up in tight loops whose loads do not
    /// depend on each other and overlap. Every row is decided exactly as before, and the
    /// rejects are put back in record order.
    func validate(_ chunk: RecordChunk, from first: Int) -> ValidatedChunk {
        var out = ValidatedChunk(chunk: chunk)
        out.rows.reserveCapacity(chunk.count)
        // One access to the chunk's bytes for all its records: the fields of a plain record
        // are read where they lie (`parseInPlace`), so only inside it.
        chunk.bytes.withUnsafeBytes { bytes in
            var start = first
            while start < chunk.count {
                let end = min(start + Self.batch, chunk.count)
                pending.removeAll(keepingCapacity: true)
                idBytes.removeAll()
                for r in start..<end { check(chunk, bytes, r, into: &out) }
                lookUp(into: &out)
                start = end
            }
        }
        if !out.rejects.isEmpty && !zip(out.rejects, out.rejects.dropFirst()).allSatisfy({ $0.record < $1.record }) {
            out.rejects.sort { $0.record < $1.record }
        }
        return out
    }

    /// Checks every field of record `r` that needs no lookup; queues the row or rejects it.
    /// `bytes` are the chunk's bytes, valid for the call.
    private func check(_ chunk: RecordChunk, _ bytes: UnsafeRawBufferPointer, _ r: Int, into out: inout ValidatedChunk) {
        out.read += 1
        let ix = s.index
        @inline(__always) func reject(_ reason: RejectReason, _ field: String, _ detail: String) {
            out.rejects.append((r, reason, field, detail))
        }
        let record = UnsafeRawBufferPointer(rebasing: bytes[chunk.starts[r]..<chunk.ends[r]])
        if let problem = endsInsideQuote(chunk, r) ?? structural(parser.parseInPlace(record), parser, header: s.header) {
            reject(problem.0, "", problem.1); return
        }

        guard let dateResult = fields.with(ix.bookedAt, { bytes -> DayParser.Result in
            let packed = PackedBytes(bytes)
            if let packed, let last = lastDate, last.bytes == packed { return last.result }
            let result = DayParser.parse(bytes, utcOffsetSeconds: s.utcOffset)
            if let packed { lastDate = (packed, result) }
            return result
        }) else {
            reject(.missingField, "booked_at", "a booking date is required"); return
        }
        guard case .day(let day) = dateResult else {
            reject(.badDate, "booked_at", dateResult == .notADate ? "not a real calendar date" : "expected YYYY-MM-DD or an ISO 8601 date-time"); return
        }
        if day > s.window.asOf { out.afterAsOf += 1; return }

        guard let amountResult = fields.with(ix.amount, { Money.parse($0) }) else { reject(.missingField, "amount", "an amount is required"); return }
        guard case .value(var amount) = amountResult else {
            switch amountResult {
            case .overflow: reject(.amountOverflow, "amount", "larger than 10^11 currency units")
            case .tooPrecise: reject(.badAmount, "amount", "more than 4 decimal places")
            default: reject(.badAmount, "amount", "expected a decimal with a point, such as -12.50")
            }
            return
        }
        var fee: Int64 = 0
        if let feeResult = fields.with(ix.fee, { Money.parse($0) }) {
            guard case .value(let f) = feeResult else { reject(feeResult == .overflow ? .amountOverflow : .badAmount, "fee", "expected a decimal ≥ 0"); return }
            guard f >= 0 else { reject(.badAmount, "fee", "a fee cannot be negative"); return }
            fee = f
        }
        if let code = fields.with(ix.currency, { s.currencies.lookup($0) }) {
            switch code {
            case .same: break
            case .unknown: reject(.unknownCurrency, "currency", "no rate for this currency in [currency.rates]"); return
            case .rate(let rate):
                guard let a = Money.convert(amount, rateE8: rate), let f = Money.convert(fee, rateE8: rate) else {
                    reject(.amountOverflow, "amount", "too large after currency conversion"); return
                }
                amount = a
                fee = f
            }
        }
        var type = TransactionType.unspecified
        if let t = fields.with(ix.type, { s.types.lookup($0) }) {
            guard let t else { reject(.badType, "type", "expected one of \(TransactionType.named.keys.sorted().joined(separator: ", ")) or a label mapped in the pipeline file"); return }
            type = t
        }
        var channel: Channel? = nil
        if let c = fields.with(ix.channel, { s.channels.lookup($0) }) {
            guard let c else { reject(.badChannel, "channel", "expected one of \(Channel.allCases.map(\.name).joined(separator: ", ")) or a label mapped in the pipeline file"); return }
            channel = c
        }
        pending.append(PendingRow(record: Int32(r), txn: Transaction(day: day, amount: amount, type: type, channel: channel, fee: fee),
                                  txnId: keep(ix.txnId), accountId: keep(s.accounts == nil ? nil : ix.account), customerId: keep(ix.customer)))
    }

    /// Resolves the ids of the queued rows, each step over the whole batch so the misses
    /// overlap, then decides each row in record order as one loop over a row did before.
    private func lookUp(into out: inout ValidatedChunk) {
        let ids = idBytes.bytes
        pending.withUnsafeMutableBufferPointer { rows in
            @inline(__always) func bytes(_ range: Range<Int32>) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: ids[Int(range.lowerBound)..<Int(range.upperBound)])
            }
            if let accounts = s.accounts {
                for i in rows.indices where !rows[i].accountId.isEmpty { rows[i].accountKey = accounts.denseKey(bytes(rows[i].accountId)) }
                let directory = s.directory?.entries ?? []
                directory.withUnsafeBufferPointer { directory in
                    for i in rows.indices where !rows[i].accountId.isEmpty {
                        let key = rows[i].accountKey
                        if key >= 0 && key < directory.count && directory[key].account >= 0 {
                            let entry = directory[key]
                            rows[i].account = entry.account
                            rows[i].accountCustomer = entry.customer
                            rows[i].ownerKey = Int(entry.customerKey)
                        } else {
                            rows[i].account = accounts.find(bytes(rows[i].accountId), denseKey: key) ?? -2
                        }
                    }
                }
                // Accounts the directory did not give: their owner from the accounts' own table.
                s.accountCustomer.withUnsafeBufferPointer { owner in
                    for i in rows.indices where rows[i].account >= 0 && rows[i].accountCustomer < 0 { rows[i].accountCustomer = owner[Int(rows[i].account)] }
                }
            }
            let customers = s.customers
            for i in rows.indices where !rows[i].customerId.isEmpty { rows[i].customerKey = customers.denseKey(bytes(rows[i].customerId)) }
            for i in rows.indices where !rows[i].customerId.isEmpty {
                // The account's own customer, known from the directory: the same dense key is the same id.
                if rows[i].ownerKey >= 0 && rows[i].customerKey == rows[i].ownerKey {
                    rows[i].customer = rows[i].accountCustomer
                    continue
                }
                rows[i].customer = customers.find(bytes(rows[i].customerId), denseKey: rows[i].customerKey) ?? -1
            }
            var acceptedIdBytes = 0
            for i in rows.indices {
                let row = rows[i]
                let r = Int(row.record)
                @inline(__always) func reject(_ reason: RejectReason, _ field: String, _ detail: String) {
                    out.rejects.append((r, reason, field, detail))
                }
                // The customer: directly, or through the account.
                var customer: Int32? = nil
                if row.account == -2 { reject(.unknownAccount, "account_id", "the account is not in the accounts dump"); continue }
                if row.account >= 0 { customer = row.accountCustomer }
                if !row.customerId.isEmpty {
                    if row.customer >= 0 {
                        if let customer, customer != row.customer { reject(.customerMismatch, "customer_id", "the accounts dump gives this account to another customer"); continue }
                        customer = row.customer
                    } else {
                        if customer != nil { reject(.customerMismatch, "customer_id", "the accounts dump gives this account to another customer"); continue }
                        out.newCustomers.append(contentsOf: bytes(row.customerId))
                        out.newCustomerEnds.append(out.newCustomers.count)
                        customer = -Int32(out.newCustomerEnds.count)
                    }
                }
                guard let customer else {
                    reject(.missingField, "customer_id", s.accounts == nil ? "a customer id is required (or an account_id with an accounts dump)" : "a customer id or a known account id is required")
                    continue
                }
                // The txn_id's place in `out.ids`; its bytes are copied below, for the batch at once.
                let idStart = Int32(out.ids.count + acceptedIdBytes)
                acceptedIdBytes += row.txnId.count
                rows[i].accepted = true
                out.rows.append(ValidatedRow(record: row.record, customer: customer, account: row.account, idStart: idStart,
                                             idEnd: idStart + Int32(row.txnId.count), txn: row.txn))
            }
            guard acceptedIdBytes > 0 else { return }
            var at = out.ids.count
            out.ids.append(contentsOf: repeatElement(0, count: acceptedIdBytes))
            out.ids.withUnsafeMutableBytes { target in
                for row in rows where row.accepted && !row.txnId.isEmpty {
                    (target.baseAddress! + at).copyMemory(from: ids.baseAddress! + Int(row.txnId.lowerBound), byteCount: row.txnId.count)
                    at += row.txnId.count
                }
            }
        }
    }
}
