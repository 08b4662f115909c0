/// One accepted transaction, normalised: the day, the amount in the reporting currency,
/// and the vocabularies as enums. It lives only while it is folded into its customer.
public struct Transaction: Sendable, Equatable {
    public var day: Day
    /// Signed, reporting currency, `Money.scale` units: positive is money into the account.
    public var amount: Int64
    public var type: TransactionType
    public var channel: Channel?
    /// The fee the bank charged on this row, ≥ 0.
    public var fee: Int64

    public init(day: Day, amount: Int64, type: TransactionType = .unspecified, channel: Channel? = nil, fee: Int64 = 0) {
        self.day = day
        self.amount = amount
        self.type = type
        self.channel = channel
        self.fee = fee
    }
}
