import Foundation
import TierwiseAnalytics
import TierwiseIO

extension Ingest {
    /// Reads the customers dump: one profile per customer. A repeated customer is rejected
    /// (the first row wins), so the profile never depends on file order beyond "first".
    func readCustomers(_ spec: InputSpec, into state: inout IngestState, rejects: RejectWriter) throws {
        var counts = InputCounts(name: "customers")
        var seen = Set<Int32>()
        for path in try expandInputPaths(spec, input: "customers") {
            let file = try CSVInputFile(input: "customers", path: path, spec: spec, settings: config.run,
                                        columns: CustomerColumns.all, required: ["customer_id"])
            counts.columns = file.header.presentColumns
            let parser = CSVFieldParser(delimiter: spec.delimiter, maxFields: config.run.maxFields)
            let fields = RecordFields(parser: parser)
            let h = file.header
            let (cId, cOnboard, cSegment, cRisk, cBranch, cManager) = (h["customer_id"], h["onboarded_on"], h["segment"], h["risk_rating"], h["branch"], h["manager_id"])
            var info = file.fileInfo
            while let (chunk, first) = try file.next() {
                for r in first..<chunk.count {
                    counts.rowsRead += 1
                    info.rowsRead += 1
                    func reject(_ reason: RejectReason, _ field: String, _ detail: String) throws {
                        counts.rejected += 1
                        counts.rejectsByReason[reason.rawValue, default: 0] += 1
                        try rejects.write(input: "customers", file: path, Reject(line: chunk.lines[r], reason: reason, field: field, detail: detail,
                                                                                  record: chunk.withRecord(r) { Array($0) }))
                    }
                    if let problem = structural(chunk, r, parser, fields, header: h) { try reject(problem.0, "", problem.1); continue }
                    guard fields.with(cId, { _ in true }) != nil else { try reject(.missingField, "customer_id", "a customer id is required"); continue }
                    var profile = CustomerProfile()
                    if let result = fields.with(cOnboard, { DayParser.parse($0, utcOffsetSeconds: 0) }) {
                        guard case .day(let d) = result else { try reject(.badDate, "onboarded_on", "expected a date YYYY-MM-DD"); continue }
                        if d > state.window.asOf { counts.afterAsOf += 1; continue }
                        profile.onboardedOn = d
                    }
                    if let text = fields.string(cRisk) {
                        guard let v = Int8(text), v >= 1, v <= 10 else { try reject(.badRiskRating, "risk_rating", "expected a whole number 1 to 10"); continue }
                        profile.riskRating = v
                    }
                    profile.segment = fields.string(cSegment)
                    profile.branch = fields.string(cBranch)
                    profile.manager = fields.string(cManager)
                    let index = fields.with(cId) { state.customer($0) }!
                    guard seen.insert(index).inserted else { try reject(.duplicateCustomer, "customer_id", "the customer appears earlier in the customers dump"); continue }
                    state.profiles[Int(index)] = profile
                    counts.accepted += 1
                }
            }
            counts.files.append(info)
        }
        state.hasCustomers = true
        state.counts.append(counts)
    }

    /// Reads the accounts dump. Accounts opened after the as-of date are counted apart.
    func readAccounts(_ spec: InputSpec, into state: inout IngestState, rejects: RejectWriter, currencies: CurrencyTable) throws {
        var counts = InputCounts(name: "accounts")
        let products = Vocabulary(contract: Product.named, labels: spec.productLabels)
        for path in try expandInputPaths(spec, input: "accounts") {
            let file = try CSVInputFile(input: "accounts", path: path, spec: spec, settings: config.run,
                                        columns: AccountColumns.all, required: ["account_id", "customer_id", "product", "balance"])
            counts.columns = file.header.presentColumns
            let parser = CSVFieldParser(delimiter: spec.delimiter, maxFields: config.run.maxFields)
            let fields = RecordFields(parser: parser)
            let h = file.header
            var info = file.fileInfo
            while let (chunk, first) = try file.next() {
                for r in first..<chunk.count {
                    counts.rowsRead += 1
                    info.rowsRead += 1
                    func reject(_ reason: RejectReason, _ field: String, _ detail: String) throws {
                        counts.rejected += 1
                        counts.rejectsByReason[reason.rawValue, default: 0] += 1
                        try rejects.write(input: "accounts", file: path, Reject(line: chunk.lines[r], reason: reason, field: field, detail: detail,
                                                                                 record: chunk.withRecord(r) { Array($0) }))
                    }
                    if let problem = structural(chunk, r, parser, fields, header: h) { try reject(problem.0, "", problem.1); continue }
                    guard fields.with(h["account_id"], { _ in true }) != nil else { try reject(.missingField, "account_id", "an account id is required"); continue }
                    guard fields.with(h["customer_id"], { _ in true }) != nil else { try reject(.missingField, "customer_id", "the account's customer id is required"); continue }
                    guard let product = fields.with(h["product"], { products.lookup($0) }) ?? nil else {
                        try reject(.badProduct, "product", "expected one of \(Product.allCases.map(\.name).joined(separator: ", ")) or a label mapped in the pipeline file"); continue
                    }
                    var opened: Day?, closed: Day?
                    if let result = fields.with(h["opened_on"], { DayParser.parse($0, utcOffsetSeconds: 0) }) {
                        guard case .day(let d) = result else { try reject(.badDate, "opened_on", "expected a date YYYY-MM-DD"); continue }
                        opened = d
                    }
                    if let result = fields.with(h["closed_on"], { DayParser.parse($0, utcOffsetSeconds: 0) }) {
                        guard case .day(let d) = result else { try reject(.badDate, "closed_on", "expected a date YYYY-MM-DD or empty while open"); continue }
                        closed = d
                    }
                    guard let balanceResult = fields.with(h["balance"], { Money.parse($0) }) else { try reject(.missingField, "balance", "the balance at the as-of date is required"); continue }
                    guard case .value(var balance) = balanceResult else {
                        try reject(balanceResult == .overflow ? .amountOverflow : .badAmount, "balance", "expected a decimal with up to 4 places and a point"); continue
                    }
                    var limit: Int64?
                    if let r = fields.with(h["credit_limit"], { Money.parse($0) }) {
                        guard case .value(let v) = r, v >= 0 else { try reject(.badAmount, "credit_limit", "expected a decimal ≥ 0"); continue }
                        limit = v
                    }
                    if let code = fields.with(h["currency"], { currencies.lookup($0) }) {
                        switch code {
                        case .same: break
                        case .unknown: try reject(.unknownCurrency, "currency", "no rate for this currency in [currency.rates]"); continue
                        case .rate(let rate):
                            guard let b = Money.convert(balance, rateE8: rate) else { try reject(.amountOverflow, "balance", "too large after conversion"); continue }
                            balance = b
                            limit = limit.flatMap { Money.convert($0, rateE8: rate) }
                        }
                    }
                    var rate: Double?
                    if let text = fields.string(h["interest_rate"]) {
                        guard let v = Double(text), v.isFinite, v > -1, v < 10 else { try reject(.badRate, "interest_rate", "expected a fraction such as 0.035"); continue }
                        rate = v
                    }
                    if let opened, opened > state.window.asOf { counts.afterAsOf += 1; continue }
                    if state.hasCustomers, (fields.with(h["customer_id"], { state.customerIds.find($0) }) ?? nil) == nil {
                        try reject(.unknownCustomer, "customer_id", "the customer is not in the customers dump"); continue
                    }
                    let before = state.accountIds.count
                    let accountIndex = fields.with(h["account_id"]) { state.accountIds.intern($0) }!
                    guard Int(accountIndex) == before else { try reject(.duplicateAccount, "account_id", "the account appears earlier in the accounts dump"); continue }
                    let customer = fields.with(h["customer_id"]) { state.customer($0) }!
                    state.accounts.append(AccountState(customer: customer, product: product, openedOn: opened, closedOn: closed, balance: balance,
                                                       interestRate: rate, creditLimit: limit))
                    counts.accepted += 1
                }
            }
            counts.files.append(info)
        }
        state.hasAccounts = true
        state.counts.append(counts)
    }
}

/// Checks that do not depend on the input: quoting, field count, NUL bytes.
/// Returns the reason and a detail, or nil when the record is sound.
@inline(__always)
func structural(_ chunk: RecordChunk, _ r: Int, _ parser: CSVFieldParser, _ fields: RecordFields, header: HeaderMap) -> (RejectReason, String)? {
    if r == chunk.count - 1 && chunk.lastRecordUnterminated {
        return (.unterminatedQuote, "the file ends inside a quoted field")
    }
    switch chunk.withRecord(r, { parser.parse($0) }) {
    case .ok: break
    case .badQuoting: return (.badQuoting, "a quote inside an unquoted field or text after a closing quote")
    case .unterminatedQuote: return (.unterminatedQuote, "a quoted field is not closed")
    case .tooManyFields: return (.fieldCount, "more than the limit of fields (max_fields); the header has \(header.fieldCount)")
    }
    if parser.fieldCount != header.fieldCount {
        return (.fieldCount, "\(parser.fieldCount) fields; the header has \(header.fieldCount)")
    }
    if chunk.withRecord(r, { $0.count > 0 && memchr($0.baseAddress!, 0, $0.count) != nil }) { return (.nulByte, "the record contains a NUL byte") }
    return nil
}
