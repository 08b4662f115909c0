import Foundation
import TierwiseAnalytics
import TierwiseIO

extension Ingest {
    /// Reads the customers dump: one profile per customer. A repeated customer is rejected
    /// (the first row wins), so the profile never depends on file order beyond "first".
    /// With a shard filter (issue 9), rows of other shards' customers are read and skipped.
    func readCustomers(_ spec: InputSpec, into state: inout IngestState, rejects: RejectWriter, filter: ShardFilter? = nil) throws {
        let shard = filter?.shard
        /// Per customer index: whether a row of the dump gave its profile (an array, not a set: a row costs no hashing).
        var seen: [Bool] = []
        let asOf = state.window.asOf
        let counts = try eachRow("customers", spec, columns: CustomerColumns.all, required: ["customer_id"], rejects: rejects, shard: shard,
                                 index: CustomerFieldIndex.init, check: { fields, ix in CheckedCustomer(fields, ix, asOf: asOf) }) { fields, ix, checked, rejectRow in
            guard fields.with(ix.customer, { _ in true }) != nil else {
                if let shard, !shard.ownsUnattributed { return nil }
                try rejectRow(.missingField, "customer_id", "a customer id is required"); return .rejected
            }
            if let shard, fields.with(ix.customer, { shard.owns($0) }) != true { return nil }
            let onboarded: Day?, risk: Int8?
            switch checked {
            case .rejected(let reason, let field, let detail): try rejectRow(reason, field, detail); return .rejected
            case .afterAsOf: return .afterAsOf
            case .profile(let day, let rating): (onboarded, risk) = (day, rating)
            }
            let index = fields.with(ix.customer) { state.customer($0) }!
            if Int(index) >= seen.count { seen.append(contentsOf: repeatElement(false, count: Int(index) + 1 - seen.count)) }
            guard !seen[Int(index)] else {
                try rejectRow(.duplicateCustomer, "customer_id", "the customer appears earlier in the customers dump")
                return .rejected
            }
            seen[Int(index)] = true
            state.profiles.set(Int(index), onboardedOn: onboarded, riskRating: risk, segment: fields.bytes(ix.segment), branch: fields.bytes(ix.branch),
                               manager: fields.bytes(ix.manager))
            return .accepted
        }
        state.hasCustomers = true
        state.counts.append(counts)
    }

    /// Reads the accounts dump. Accounts opened after the as-of date are counted apart.
    ///
    /// With a shard filter (issue 9), rows of other shards' customers go through the same
    /// checks silently; the accounts they would accept are remembered by id only
    /// (`foreignAccounts`), so a transaction naming one is recognised and a repeated account id
    /// across shards is still a DUPLICATE_ACCOUNT. The one check a shard cannot make for another
    /// shard's row is UNKNOWN_CUSTOMER (it does not know their customers).
    func readAccounts(_ spec: InputSpec, into state: inout IngestState, rejects: RejectWriter, currencies: CurrencyTable,
                      filter: ShardFilter? = nil) throws {
        let tables = CheckedAccount.Tables(products: Vocabulary(contract: Product.named, labels: spec.productLabels), currencies: currencies)
        let shard = filter?.shard
        let counts = try eachRow("accounts", spec, columns: AccountColumns.all, required: ["account_id", "customer_id", "product", "balance"],
                                 rejects: rejects, shard: shard, index: AccountFieldIndex.init,
                                 check: { fields, ix in CheckedAccount(fields, ix, tables: tables) },
                                 // The accounts (64 bytes each) grown by doubling cost 60 ms of copies and page faults on L's 940k.
                                 // On huge pages: the fold writes them at random places (see `ProcessMemory.preferHugePages`).
                                 expect: { ProcessMemory.reserveOnHugePages(&state.accounts, capacity: state.accounts.count + $0 + $0 / 16) }) { fields, ix, checked, rejectRow in
            var mine = shard?.ownsUnattributed ?? true
            func reject(_ reason: RejectReason, _ field: String, _ detail: String) throws -> RowOutcome? {
                guard mine else { return nil }
                try rejectRow(reason, field, detail)
                return .rejected
            }
            guard fields.with(ix.account, { _ in true }) != nil else { return try reject(.missingField, "account_id", "an account id is required") }
            guard fields.with(ix.customer, { _ in true }) != nil else { return try reject(.missingField, "customer_id", "the account's customer id is required") }
            if let shard { mine = fields.with(ix.customer, { shard.owns($0) }) == true }
            let a: CheckedAccount.Account
            switch checked {
            case .rejected(let reason, let field, let detail): return try reject(reason, field, detail)
            case .account(let account): a = account
            }
            if let opened = a.opened, opened > state.window.asOf { return mine ? .afterAsOf : nil }
            // Nothing below changes the customers before the last use of `known`.
            let known = fields.with(ix.customer, { state.customerIds.find($0) }) ?? nil
            if mine, state.hasCustomers, known == nil {
                return try reject(.unknownCustomer, "customer_id", "the customer is not in the customers dump")
            }
            if let filter {
                let seenElsewhere = mine ? (fields.with(ix.account, { filter.foreignAccounts.find($0) }) ?? nil) != nil
                                         : (fields.with(ix.account, { state.accountIds.find($0) }) ?? nil) != nil
                if !mine {
                    if !seenElsewhere { _ = fields.with(ix.account) { filter.foreignAccounts.intern($0) } }
                    return nil
                }
                if seenElsewhere { return try reject(.duplicateAccount, "account_id", "the account appears earlier in the accounts dump") }
            }
            if (fields.with(ix.account, { state.accountIds.find($0) }) ?? nil) != nil {
                return try reject(.duplicateAccount, "account_id", "the account appears earlier in the accounts dump")
            }
            if let known, state.accountMagnitude[Int(known)].addingReportingOverflow(Int64(a.balance.magnitude)).overflow {
                return try reject(.amountOverflow, "balance", "the customer's account balances together would pass the 64-bit limit")
            }
            _ = fields.with(ix.account) { state.accountIds.intern($0) }
            let customer = known ?? fields.with(ix.customer) { state.customer($0) }!
            state.accountMagnitude[Int(customer)] += Int64(a.balance.magnitude)
            state.accounts.append(AccountState(customer: customer, product: a.product, openedOn: a.opened, closedOn: a.closed, balance: a.balance,
                                               interestRate: a.rate, creditLimit: a.limit))
            return .accepted
        }
        state.hasAccounts = true
        state.counts.append(counts)
    }
}

/// Checks that do not depend on the input: quoting, field count, NUL bytes.
/// Returns the reason and a detail, or nil when the record is sound.
@inline(__always)
func structural(_ chunk: RecordChunk, _ r: Int, _ parser: CSVFieldParser, _ fields: RecordFields, header: HeaderMap) -> (RejectReason, String)? {
    if let problem = endsInsideQuote(chunk, r) { return problem }
    return structural(chunk.withRecord(r) { parser.parse($0) }, parser, header: header)
}

/// The reject of a last record left inside a quoted field, which is not parsed at all.
@inline(__always)
func endsInsideQuote(_ chunk: RecordChunk, _ r: Int) -> (RejectReason, String)? {
    r == chunk.count - 1 && chunk.lastRecordUnterminated ? (.unterminatedQuote, "the file ends inside a quoted field") : nil
}

/// `structural` for a record `parser` has just parsed with `outcome`: the transactions
/// validator parses with `CSVFieldParser.parseInPlace`, inside one access to the chunk's
/// bytes, after `endsInsideQuote`.
@inline(__always)
func structural(_ outcome: CSVFieldParser.Outcome, _ parser: CSVFieldParser, header: HeaderMap) -> (RejectReason, String)? {
    switch outcome {
    case .ok: break
    case .badQuoting: return (.badQuoting, "a quote inside an unquoted field or text after a closing quote")
    case .unterminatedQuote: return (.unterminatedQuote, "a quoted field is not closed")
    case .tooManyFields: return (.fieldCount, "more than the limit of fields (max_fields); the header has \(header.fieldCount)")
    }
    if parser.fieldCount != header.fieldCount {
        return (.fieldCount, "\(parser.fieldCount) fields; the header has \(header.fieldCount)")
    }
    if parser.recordHasNUL { return (.nulByte, "the record contains a NUL byte") }
    return nil
}

extension Ingest {
    /// Reads every file of an optional dump (customers, accounts): counts each row, rejects
    /// structurally broken ones, and hands the rest to `accept`, which either uses the row
    /// (returning `.accepted`), rejects it through its third argument, or counts it as after
    /// the as-of date. In shard mode `accept` returns nil for another shard's row (counted as
    /// read only), and structural rejects belong to shard 0.
    ///
    /// Workers parse the chunks (`DumpParser`) and run `check` on each sound row: the checks
    /// of the row's own fields, which need nothing else. `accept` runs in file order, one
    /// chunk at a time (`ParallelChunks`), with the row and its check, so "the first row wins"
    /// and the order customers are numbered in do not depend on threads. `index` resolves the
    /// fields of the columns once per file, so a row costs no lookup by name. `expect` hears,
    /// for each uncompressed file, about how many rows it holds (`CSVInputFile.expectedRecords`),
    /// so that `accept` can size its tables once.
    func eachRow<Index, Checked>(_ input: String, _ spec: InputSpec, columns: [String], required: [String], rejects: RejectWriter, shard: ShardSpec? = nil,
                                 index makeIndex: (HeaderMap) -> Index, check: @escaping (DumpFields, Index) -> Checked,
                                 expect: (Int) -> Void = { _ in },
                                 accept: (DumpFields, Index, Checked, (RejectReason, String, String) throws -> Void) throws -> RowOutcome?) throws -> InputCounts {
        var counts = InputCounts(name: input)
        for path in try expandInputPaths(spec, input: input) {
            let file = try CSVInputFile(input: input, path: path, spec: spec, settings: config.run, columns: columns, required: required)
            if let mismatch = file.nameMismatch { warn(mismatch) }
            counts.columns = file.header.presentColumns
            let index = makeIndex(file.header)
            if let records = file.expectedRecords { expect(records) }
            var info = file.fileInfo
            func consume(_ parsed: DumpChunk<Checked>) throws {
                let chunk = parsed.chunk
                var rejected = false
                func reject(_ r: Int, _ reason: RejectReason, _ field: String, _ detail: String) throws {
                    rejected = true
                    counts.rejected += 1
                    counts.rejectsByReason[reason.rawValue, default: 0] += 1
                    try rejects.write(input: input, file: path, Reject(line: chunk.lines[r], reason: reason, field: field, detail: detail,
                                                                       record: chunk.withRecord(r) { Array($0) }))
                }
                try parsed.withFields { fields in
                    for r in parsed.first..<chunk.count {
                        counts.rowsRead += 1
                        info.rowsRead += 1
                        rejected = false
                        if let problem = parsed.problems[r - parsed.first] {
                            if shard?.ownsUnattributed ?? true { try reject(r, problem.0, "", problem.1) }
                            continue
                        }
                        switch try accept(fields(r), index, parsed.checked[r - parsed.first]!, { try reject(r, $0, $1, $2) }) {
                        case .accepted?: counts.accepted += 1
                        case .afterAsOf?: counts.afterAsOf += 1
                        case .rejected?: precondition(rejected, "a row was reported rejected without a reject record")
                        case nil: break
                        }
                    }
                }
            }
            let makeParser = { DumpParser(header: file.header, delimiter: spec.delimiter, maxFields: self.config.run.maxFields, check: { check($0, index) }) }
            if threads <= 1 {
                let parser = makeParser()
                while let (chunk, first) = try file.next() { try consume(parser.parse(chunk, from: first)) }
            } else {
                try ParallelChunks.run(workers: threads, next: { try file.next() }, makeWorker: makeParser,
                                       work: { parser, item in parser.parse(item.chunk, from: item.firstRecord) }, consume: consume)
            }
            counts.files.append(info)
        }
        return counts
    }
}

enum RowOutcome { case accepted, afterAsOf, rejected }

/// Field positions of the customers file, resolved once from the header.
struct CustomerFieldIndex {
    var customer, onboardedOn, riskRating, segment, branch, manager: Int?

    init(_ h: HeaderMap) {
        customer = h["customer_id"]; onboardedOn = h["onboarded_on"]; riskRating = h["risk_rating"]
        segment = h["segment"]; branch = h["branch"]; manager = h["manager_id"]
    }
}

/// Field positions of the accounts file, resolved once from the header.
struct AccountFieldIndex {
    var account, customer, product, openedOn, closedOn, balance, creditLimit, currency, interestRate: Int?

    init(_ h: HeaderMap) {
        account = h["account_id"]; customer = h["customer_id"]; product = h["product"]; openedOn = h["opened_on"]; closedOn = h["closed_on"]
        balance = h["balance"]; creditLimit = h["credit_limit"]; currency = h["currency"]; interestRate = h["interest_rate"]
    }
}
