import TierwiseAnalytics

/// A customers row's own fields, checked on a worker (`Ingest.eachRow`): the onboarding day
/// and risk rating, or why the row is rejected or left out. The checks and their order are
/// the rules' own; what needs the dump so far (a repeated customer) is decided afterwards, in
/// file order, where the texts (segment, branch, manager) are coded from the row's bytes.
enum CheckedCustomer {
    case profile(onboardedOn: Day?, riskRating: Int8?)
    case rejected(RejectReason, String, String)
    case afterAsOf

    init(_ fields: DumpFields, _ ix: CustomerFieldIndex, asOf: Day) {
        var onboarded: Day?, risk: Int8?
        if let result = fields.with(ix.onboardedOn, { DayParser.parse($0, utcOffsetSeconds: 0) }) {
            guard case .day(let d) = result else { self = .rejected(.badDate, "onboarded_on", "expected a date YYYY-MM-DD"); return }
            if d > asOf { self = .afterAsOf; return }
            onboarded = d
        }
        if let text = fields.string(ix.riskRating) {
            guard let v = Int8(text), v >= 1, v <= 10 else { self = .rejected(.badRiskRating, "risk_rating", "expected a whole number 1 to 10"); return }
            risk = v
        }
        self = .profile(onboardedOn: onboarded, riskRating: risk)
    }
}

/// An accounts row's own fields, checked and converted to the reporting currency on a
/// worker, or why the row is rejected; the rules that need the dumps so far (an unknown
/// customer, a repeated account, a customer's balances overflowing) come afterwards.
enum CheckedAccount {
    struct Account {
        var product: Product
        var opened: Day?
        var closed: Day?
        var balance: Int64
        var limit: Int64?
        var rate: Double?
    }

    case account(Account)
    case rejected(RejectReason, String, String)

    /// The tables a row's check reads, in one object shared by the workers: handed over as
    /// two structs, their arrays were retained and released for every row, on counters both
    /// workers wrote, and that was a quarter of the accounts workers' time.
    final class Tables: @unchecked Sendable {
        let products: Vocabulary<Product>
        let currencies: CurrencyTable
        init(products: Vocabulary<Product>, currencies: CurrencyTable) {
            self.products = products
            self.currencies = currencies
        }
    }

    init(_ fields: DumpFields, _ ix: AccountFieldIndex, tables: Tables) {
        guard let product = fields.with(ix.product, { tables.products.lookup($0) }) ?? nil else {
            self = .rejected(.badProduct, "product", "expected one of \(Product.allCases.map(\.name).joined(separator: ", ")) or a label mapped in the pipeline file")
            return
        }
        var opened: Day?, closed: Day?
        if let result = fields.with(ix.openedOn, { DayParser.parse($0, utcOffsetSeconds: 0) }) {
            guard case .day(let d) = result else { self = .rejected(.badDate, "opened_on", "expected a date YYYY-MM-DD"); return }
            opened = d
        }
        if let result = fields.with(ix.closedOn, { DayParser.parse($0, utcOffsetSeconds: 0) }) {
            guard case .day(let d) = result else { self = .rejected(.badDate, "closed_on", "expected a date YYYY-MM-DD or empty while open"); return }
            closed = d
        }
        guard let balanceResult = fields.with(ix.balance, { Money.parse($0) }) else {
            self = .rejected(.missingField, "balance", "the balance at the as-of date is required"); return
        }
        guard case .value(var balance) = balanceResult else {
            self = .rejected(balanceResult == .overflow ? .amountOverflow : .badAmount, "balance", "expected a decimal with up to 4 places and a point"); return
        }
        var limit: Int64?
        if let r = fields.with(ix.creditLimit, { Money.parse($0) }) {
            if r == .overflow { self = .rejected(.amountOverflow, "credit_limit", "larger than 10^11 currency units"); return }
            guard case .value(let v) = r, v >= 0 else { self = .rejected(.badAmount, "credit_limit", "expected a decimal ≥ 0"); return }
            limit = v
        }
        if let code = fields.with(ix.currency, { tables.currencies.lookup($0) }) {
            switch code {
            case .same: break
            case .unknown: self = .rejected(.unknownCurrency, "currency", "no rate for this currency in [currency.rates]"); return
            case .rate(let rate):
                guard let b = Money.convert(balance, rateE8: rate) else { self = .rejected(.amountOverflow, "balance", "too large after conversion"); return }
                balance = b
                if let l = limit {
                    guard let converted = Money.convert(l, rateE8: rate) else { self = .rejected(.amountOverflow, "credit_limit", "too large after conversion"); return }
                    limit = converted
                }
            }
        }
        var rate: Double?
        if let parsed = fields.with(ix.interestRate, { DecimalDouble.parse($0) }) {
            guard let v = parsed, v.isFinite, v > -1, v < 10 else { self = .rejected(.badRate, "interest_rate", "expected a fraction such as 0.035"); return }
            rate = v
        }
        self = .account(Account(product: product, opened: opened, closed: closed, balance: balance, limit: limit, rate: rate))
    }
}
