/// Transaction types of the data contract. Everything but `fee` and `interest` is
/// customer-initiated: the customer chose to act.
public enum TransactionType: UInt8, CaseIterable, Sendable, Codable {
    case deposit, withdrawal, transfer, payment, card, salary, fee, interest
    /// The type column was absent or empty: treated as customer-initiated.
    case unspecified

    public var isCustomerInitiated: Bool { self != .fee && self != .interest }

    public var name: String {
        switch self {
        case .deposit: "deposit"
        case .withdrawal: "withdrawal"
        case .transfer: "transfer"
        case .payment: "payment"
        case .card: "card"
        case .salary: "salary"
        case .fee: "fee"
        case .interest: "interest"
        case .unspecified: ""
        }
    }

    public static let named: [String: TransactionType] = Dictionary(uniqueKeysWithValues:
        allCases.filter { $0 != .unspecified }.map { ($0.name, $0) })
}

public enum Channel: UInt8, CaseIterable, Sendable, Codable {
    case branch, atm, online, mobile, pos, other

    public var name: String {
        switch self {
        case .branch: "branch"
        case .atm: "atm"
        case .online: "online"
        case .mobile: "mobile"
        case .pos: "pos"
        case .other: "other"
        }
    }

    public static let named: [String: Channel] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })
}

public enum Product: UInt8, CaseIterable, Sendable, Codable {
    case checking, savings, termDeposit, creditCard, personalLoan, mortgage, investment

    public var name: String {
        switch self {
        case .checking: "checking"
        case .savings: "savings"
        case .termDeposit: "term_deposit"
        case .creditCard: "credit_card"
        case .personalLoan: "personal_loan"
        case .mortgage: "mortgage"
        case .investment: "investment"
        }
    }

    public static let named: [String: Product] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    /// Deposits earn the bank FTP − rate; lending earns rate − FTP.
    public var isDeposit: Bool { self == .checking || self == .savings || self == .termDeposit }
    public var isLending: Bool { self == .creditCard || self == .personalLoan || self == .mortgage }
}
