// Per-customer and per-account state. This is all the generator keeps across
// months: memory is O(customers + accounts), independent of transaction count.

let noDay = Int32.max

struct Flags: OptionSet {
    let rawValue: UInt16
    static let never = Flags(rawValue: 1 << 0)
    static let lapsed = Flags(rawValue: 1 << 1)
    static let lapsedDormant = Flags(rawValue: 1 << 2)
    static let new = Flags(rawValue: 1 << 3)
    static let newRecent = Flags(rawValue: 1 << 4)
    static let salaried = Flags(rawValue: 1 << 5)
    static let salaryStopped = Flags(rawValue: 1 << 6)
    static let activityDrop = Flags(rawValue: 1 << 7)
    static let heavy = Flags(rawValue: 1 << 8)
    static let largeInvestment = Flags(rawValue: 1 << 9)
    static let balanceDrop = Flags(rawValue: 1 << 10)
    static let payInFull = Flags(rawValue: 1 << 11)
}

struct CustomerPlan {
    var onboard: Int32 = 0
    /// Inclusive activity window; actEnd < actStart means no activity at all.
    var actStart: Int32 = 0
    var actEnd: Int32 = 0
    var dropDay: Int32 = noDay
    var lastSalaryDay: Int32 = noDay
    var branch: Int32 = 0
    var manager: Int32 = 0
    var firstAccount: Int32 = 0
    var accountCount: Int32 = 0
    var checking: Int32 = -1
    var card: Int32 = -1
    var savings: Int32 = -1
    var ratePerDay = 0.0
    var dropFactor = 1.0
    var scale = 1.0
    var salaryCents: Int64 = 0
    var rentCents: Int64 = 0
    var overdraftCents: Int64 = 0
    var feeCents: Int64 = 0
    var segment: Segment = .retail
    var risk: UInt8 = 1
    var flags: Flags = []
}

struct AccountPlan {
    var customer: Int32 = 0
    var product: Product = .checking
    var currency: Currency = .eur
    var opened: Int32 = 0
    var closed: Int32 = noDay
    /// Current balance in cents; for liabilities the positive outstanding amount.
    var balance: Int64 = 0
    /// Opening deposit booked on `opened` (accounts opened inside the period).
    var pendingInitial: Int64 = 0
    var rate: Int32 = 0          // units of 1e-4
    var limit: Int64 = 0         // cents, cards only
    var installment: Int64 = 0   // cents, loans only
    var paymentDay: Int32 = 1    // day of month for loan instalments
    var dropDay: Int32 = noDay
    var dropFraction = 0.0

    @inline(__always) func isOpen(on day: Int32) -> Bool { opened <= day && day < closed }
}

@inline(__always) func toCents(_ x: Double) -> Int64 { Int64((x * 100).rounded()) }
@inline(__always) func wholeCents(_ x: Double, step: Double = 1) -> Int64 {
    Int64((x / step).rounded()) * Int64(step * 100)
}
