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
        var delimiter: UInt8
        var maxFields: Int
    }

    private let s: Shared
    private let parser: CSVFieldParser
    private let fields: RecordFields

    init(_ shared: Shared) {
        s = shared
        parser = CSVFieldParser(delimiter: shared.delimiter, maxFields: shared.maxFields)
        fields = RecordFields(parser: parser)
    }

    func validate(_ chunk: RecordChunk, from first: Int) -> ValidatedChunk {
        var out = ValidatedChunk(chunk: chunk)
        out.rows.reserveCapacity(chunk.count)
        let ix = s.index
        for r in first..<chunk.count {
            out.read += 1
            @inline(__always) func reject(_ reason: RejectReason, _ field: String, _ detail: String) {
                out.rejects.append((r, reason, field, detail))
            }
            if let problem = structural(chunk, r, parser, fields, header: s.header) { reject(problem.0, "", problem.1); continue }

            guard let dateResult = fields.with(ix.bookedAt, { DayParser.parse($0, utcOffsetSeconds: s.utcOffset) }) else {
                reject(.missingField, "booked_at", "a booking date is required"); continue
            }
            guard case .day(let day) = dateResult else {
                reject(.badDate, "booked_at", dateResult == .notADate ? "not a real calendar date" : "expected YYYY-MM-DD or an ISO 8601 date-time"); continue
            }
            if day > s.window.asOf { out.afterAsOf += 1; continue }

            guard let amountResult = fields.with(ix.amount, { Money.parse($0) }) else { reject(.missingField, "amount", "an amount is required"); continue }
            guard case .value(var amount) = amountResult else {
                switch amountResult {
                case .overflow: reject(.amountOverflow, "amount", "larger than 10^11 currency units")
                case .tooPrecise: reject(.badAmount, "amount", "more than 4 decimal places")
                default: reject(.badAmount, "amount", "expected a decimal with a point, such as -12.50")
                }
                continue
            }
            var fee: Int64 = 0
            if let feeResult = fields.with(ix.fee, { Money.parse($0) }) {
                guard case .value(let f) = feeResult else { reject(feeResult == .overflow ? .amountOverflow : .badAmount, "fee", "expected a decimal ≥ 0"); continue }
                guard f >= 0 else { reject(.badAmount, "fee", "a fee cannot be negative"); continue }
                fee = f
            }
            if let code = fields.with(ix.currency, { s.currencies.lookup($0) }) {
                switch code {
                case .same: break
                case .unknown: reject(.unknownCurrency, "currency", "no rate for this currency in [currency.rates]"); continue
                case .rate(let rate):
                    guard let a = Money.convert(amount, rateE8: rate), let f = Money.convert(fee, rateE8: rate) else {
                        reject(.amountOverflow, "amount", "too large after currency conversion"); continue
                    }
                    amount = a
                    fee = f
                }
            }
            var type = TransactionType.unspecified
            if let t = fields.with(ix.type, { s.types.lookup($0) }) {
                guard let t else { reject(.badType, "type", "expected one of \(TransactionType.named.keys.sorted().joined(separator: ", ")) or a label mapped in the pipeline file"); continue }
                type = t
            }
            var channel: Channel? = nil
            if let c = fields.with(ix.channel, { s.channels.lookup($0) }) {
                guard let c else { reject(.badChannel, "channel", "expected one of \(Channel.allCases.map(\.name).joined(separator: ", ")) or a label mapped in the pipeline file"); continue }
                channel = c
            }

            // The customer: directly, or through the account.
            var account: Int32 = -1
            var customer: Int32? = nil
            if let accounts = s.accounts, let found = fields.with(ix.account, { accounts.find($0) }) {
                guard let a = found else { reject(.unknownAccount, "account_id", "the account is not in the accounts dump"); continue }
                account = a
                customer = s.accountCustomer[Int(a)]
            }
            if let known = fields.with(ix.customer, { s.customers.find($0) }) {
                if let c = known {
                    if let customer, customer != c { reject(.customerMismatch, "customer_id", "the accounts dump gives this account to another customer"); continue }
                    customer = c
                } else {
                    if customer != nil { reject(.customerMismatch, "customer_id", "the accounts dump gives this account to another customer"); continue }
                    fields.with(ix.customer) { b in
                        out.newCustomers.append(contentsOf: b)
                        out.newCustomerEnds.append(out.newCustomers.count)
                    }
                    customer = -Int32(out.newCustomerEnds.count)
                }
            }
            guard let customer else {
                reject(.missingField, "customer_id", s.accounts == nil ? "a customer id is required (or an account_id with an accounts dump)" : "a customer id or a known account id is required")
                continue
            }
            var idStart: Int32 = 0, idEnd: Int32 = 0
            fields.with(ix.txnId) { b in
                idStart = Int32(out.ids.count)
                out.ids.append(contentsOf: b)
                idEnd = Int32(out.ids.count)
            }
            out.rows.append(ValidatedRow(record: Int32(r), customer: customer, account: account, idStart: idStart, idEnd: idEnd,
                                         txn: Transaction(day: day, amount: amount, type: type, channel: channel, fee: fee)))
        }
        return out
    }
}
