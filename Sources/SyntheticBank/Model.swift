public enum Segment: UInt8, CaseIterable, Sendable {
    case retail = 0, sme, privateBanking
    public var name: String { ["retail", "sme", "private"][Int(rawValue)] }
}

public enum Product: UInt8, CaseIterable, Sendable {
    case checking = 0, savings, termDeposit, creditCard, personalLoan, mortgage, investment
    public var name: String {
        ["checking", "savings", "term_deposit", "credit_card", "personal_loan", "mortgage", "investment"][Int(rawValue)]
    }
    /// Balance is an outstanding amount owed to the bank.
    public var isLiability: Bool { self == .creditCard || self == .personalLoan || self == .mortgage }
}

public enum TxnType: UInt8, CaseIterable, Sendable {
    case deposit = 0, withdrawal, transfer, payment, card, salary, fee, interest
    public var name: String {
        ["deposit", "withdrawal", "transfer", "payment", "card", "salary", "fee", "interest"][Int(rawValue)]
    }
}

public enum Channel: UInt8, CaseIterable, Sendable {
    case branch = 0, atm, online, mobile, pos, other
    public var name: String { ["branch", "atm", "online", "mobile", "pos", "other"][Int(rawValue)] }
}

public enum Currency: UInt8, CaseIterable, Sendable {
    case eur = 0, usd, gbp, chf
    public var code: String { ["EUR", "USD", "GBP", "CHF"][Int(rawValue)] }
}

/// CSV header rows (without the trailing newline).
public enum CSVHeader {
    public static let transactions = "txn_id,account_id,customer_id,booked_at,amount,currency,type,channel,fee"
    public static let accounts = "account_id,customer_id,product,opened_on,closed_on,balance,currency,interest_rate,credit_limit"
    public static let customers = "customer_id,onboarded_on,segment,risk_rating,branch,manager_id"
}

enum Names {
    static let segment: [[UInt8]] = Segment.allCases.map { Array($0.name.utf8) }
    static let product: [[UInt8]] = Product.allCases.map { Array($0.name.utf8) }
    static let type: [[UInt8]] = TxnType.allCases.map { Array($0.name.utf8) }
    static let channel: [[UInt8]] = Channel.allCases.map { Array($0.name.utf8) }
    static let currency: [[UInt8]] = Currency.allCases.map { Array($0.code.utf8) }
}
