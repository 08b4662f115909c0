/// One account from the accounts dump, plus what its transactions add for the balance
/// history: the average daily balance is rebuilt backwards from the closing balance without
/// keeping a single transaction (see `averageDailyBalance`).
public struct AccountState: Sendable, Equatable {
    // Stored without optionals or a 16-byte-aligned Int128, so an account takes 64 bytes
    // instead of 96: a bank's accounts outnumber its customers, and they all stay in memory
    // through ingest. The public properties below read and write these.
    /// Closing balance at the as-of date; loans and cards as the positive amount outstanding.
    public var balance: Int64
    private var rateOrNaN: Double
    private var limitOrMin: Int64
    private var weightedHigh: Int64 = 0
    private var weightedLow: Int64 = 0
    /// Σ amount booked after the day 90 days before the as-of date, to get that day's balance.
    public var movementSinceRecentStart: Int64 = 0
    public var customer: Int32
    private var openedOrMin: Int32
    private var closedOrMin: Int32
    public var product: Product

    public var openedOn: Day? {
        get { openedOrMin == Int32.min ? nil : Day(number: openedOrMin) }
        set { openedOrMin = newValue?.number ?? Int32.min }
    }
    public var closedOn: Day? {
        get { closedOrMin == Int32.min ? nil : Day(number: closedOrMin) }
        set { closedOrMin = newValue?.number ?? Int32.min }
    }
    /// Annual interest rate as a fraction (0.035 = 3.5 %).
    public var interestRate: Double? {
        get { rateOrNaN.isNaN ? nil : rateOrNaN }
        set { rateOrNaN = newValue ?? .nan }
    }
    public var creditLimit: Int64? {
        get { limitOrMin == Int64.min ? nil : limitOrMin }
        set { limitOrMin = newValue ?? Int64.min }
    }
    /// Σ amount × (days d of the open window range with d < booking day): the part of
    /// Σ_d balance(d) the transactions take away from n × closing balance.
    public var laterMovementWeighted: Int128 {
        get { Int128(high: weightedHigh, low: weightedLow) }
        set { (weightedHigh, weightedLow) = newValue.halves }
    }

    public init(customer: Int32, product: Product, openedOn: Day?, closedOn: Day?, balance: Int64,
                interestRate: Double?, creditLimit: Int64?) {
        self.customer = customer
        self.product = product
        openedOrMin = openedOn?.number ?? Int32.min
        closedOrMin = closedOn?.number ?? Int32.min
        self.balance = balance
        rateOrNaN = interestRate ?? .nan
        limitOrMin = creditLimit ?? Int64.min
    }

    /// The fields from the accounts dump, which the transactions never change, read through
    /// `p` one field at a time: a fold may be writing the movement fields of the same account
    /// meanwhile (ingest saves these columns while the transactions are read), and a read of
    /// the whole record would read those too.
    public static func dumpFields(at p: UnsafePointer<AccountState>)
        -> (customer: Int32, product: Product, opened: Int32, closed: Int32, balance: Int64, rateOrNaN: Double, limitOrMin: Int64) {
        (p.pointer(to: \.customer)!.pointee, p.pointer(to: \.product)!.pointee, p.pointer(to: \.openedOrMin)!.pointee,
         p.pointer(to: \.closedOrMin)!.pointee, p.pointer(to: \.balance)!.pointee, p.pointer(to: \.rateOrNaN)!.pointee,
         p.pointer(to: \.limitOrMin)!.pointee)
    }

    public static func == (a: AccountState, b: AccountState) -> Bool {
        a.customer == b.customer && a.product == b.product && a.openedOn == b.openedOn && a.closedOn == b.closedOn && a.balance == b.balance
            && a.interestRate == b.interestRate && a.creditLimit == b.creditLimit && a.laterMovementWeighted == b.laterMovementWeighted
            && a.movementSinceRecentStart == b.movementSinceRecentStart
    }

    /// The days of the window this account was open: `start...end`, or nil.
    public func openRange(in window: AnalysisWindow) -> ClosedRange<Int32>? {
        var start = window.windowStart.number
        var end = window.asOf.number
        if let o = openedOn { start = max(start, o.number) }
        if let c = closedOn { end = min(end, c.number) }
        return start <= end ? start...end : nil
    }

    public func isOpen(at day: Day) -> Bool {
        if let o = openedOn, o > day { return false }
        if let c = closedOn, c <= day { return false }
        return true
    }

    /// True when folding `amount` would overflow the Int64 movement sum (see `CustomerActivity.wouldOverflow`).
    public func wouldOverflow(amount: Int64) -> Bool {
        movementSinceRecentStart.addingReportingOverflow(amount).overflow || movementSinceRecentStart.subtractingReportingOverflow(amount).overflow
    }

    /// Adds one movement booked on this account on or before the as-of date.
    /// For loans and cards the balance is the amount owed, so money in (a repayment) lowers it:
    /// movements count with the opposite sign.
    @inline(__always)
    public mutating func fold(day: Day, amount: Int64, window: AnalysisWindow) {
        let signed = product.isLending ? -amount : amount
        if day.number > window.asOf.number - Int32(window.recentDays) { movementSinceRecentStart += signed }
        guard let range = openRange(in: window) else { return }
        // Days d in range with d < day: balance(d) excludes this movement.
        let before = Int64(min(max(day.number - range.lowerBound, 0), range.upperBound - range.lowerBound + 1))
        laterMovementWeighted += Int128(signed) * Int128(before)
    }

    public mutating func merge(_ o: AccountState) {
        laterMovementWeighted += o.laterMovementWeighted
        movementSinceRecentStart += o.movementSinceRecentStart
    }

    /// Average daily balance over the days the account was open in the window:
    /// balance(d) = closing − Σ amounts booked after d, averaged over those days. Zero days: nil.
    public func averageDailyBalance(in window: AnalysisWindow) -> Double? {
        guard let range = openRange(in: window) else { return nil }
        let n = Int64(range.upperBound - range.lowerBound + 1)
        let total = Int128(n) * Int128(balance) - laterMovementWeighted
        return total.nearestDouble / Double(n) / Double(Money.scale)
    }

    /// The balance at the start of the recent period (90 days before the as-of date).
    public var balanceAtRecentStart: Int64 { balance - movementSinceRecentStart }
}
