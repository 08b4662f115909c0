/// Everything later stages need from one customer's transactions, folded row by row so that
/// no transaction is kept: memory grows with customers, never with rows.
///
/// Folding is order-independent (sums, minima, maxima, bit sets), so per-worker activities
/// can be merged in any fixed order and give the same result on any number of threads.
public struct CustomerActivity: Sendable, Equatable {
    // The stored fields are ordered, and the optional days kept as numbers (Int32.min for
    // none), so that a record takes 128 bytes: ingest's fold keeps the records 64-byte
    // aligned, and each row then touches two cache lines of its customer instead of three or
    // four (144 bytes at any offset). The fold waits on memory more than on anything else.

    /// Customer-initiated rows in the window by channel, for cost to serve.
    /// A fixed vector, not an array: no heap allocation per customer. Lanes past the channels stay 0.
    public var windowChannelCounts = SIMD8<Int32>()
    /// Σ|amount| of customer-initiated rows on `firstInitiatedDay`, to leave the first day
    /// out of the Gamma-Gamma mean as lifetimes does.
    public var firstDayValue: Int64 = 0
    /// Σ|amount| of all customer-initiated rows up to the as-of date.
    public var initiatedValue: Int64 = 0
    /// Customer-initiated rows in the window: RFM frequency and monetary.
    public var windowValue: Int64 = 0
    /// Fee income in the window: the fee column plus |amount| of fee rows.
    public var windowFees: Int64 = 0
    /// Σ|balance| of the customer's accounts plus Σ|amount| of the rows booked on them. Every
    /// per-customer balance total (by product, deposits, 90 days ago) is bounded by it, so
    /// ingest rejects an account or a row that would take it past Int64 (AMOUNT_OVERFLOW)
    /// and those totals can never overflow. Used by ingest only; not saved.
    public var accountMagnitude: Int64 = 0
    public var initiatedDays = DayBitset()
    /// Distinct purchase days, once `settle()` has dropped the bit set.
    public var settledPurchaseDays: Int32 = 0
    public var windowCount: Int32 = 0
    /// Customer-initiated rows in the last 90 days and the 90 before, for ACTIVITY_DROP.
    public var recentCount: Int32 = 0
    public var previousRecentCount: Int32 = 0
    /// Customer-initiated rows in the window with no channel.
    public var windowNoChannel: Int32 = 0
    /// Every accepted row.
    public var rows: Int32 = 0
    private var lastInitiated = Int32.min
    private var firstInitiated = Int32.min
    private var first = Int32.min
    /// Salary credits: bit 0 the last 45 days, bits 1–3 the three 30-day months before.
    public var salaryPeriods: UInt8 = 0

    /// Customer-initiated rows, any time up to the as-of date.
    public var lastInitiatedDay: Day? {
        get { lastInitiated == .min ? nil : Day(number: lastInitiated) }
        set { lastInitiated = newValue?.number ?? .min }
    }
    public var firstInitiatedDay: Day? {
        get { firstInitiated == .min ? nil : Day(number: firstInitiated) }
        set { firstInitiated = newValue?.number ?? .min }
    }
    /// The first day of any row (for tenure when nothing else says).
    public var firstDay: Day? {
        get { first == .min ? nil : Day(number: first) }
        set { first = newValue?.number ?? .min }
    }

    public init() {}

    /// True when folding `t` would overflow one of the Int64 sums. Each row is capped at
    /// 10^11 currency units, but a customer with thousands of such rows could pass Int64;
    /// ingest rejects that row (AMOUNT_OVERFLOW) instead of trapping or wrapping.
    public func wouldOverflow(_ t: Transaction) -> Bool {
        let value = Int64(t.amount.magnitude)
        if windowFees.addingReportingOverflow(t.fee).overflow || windowFees.addingReportingOverflow(t.fee &+ value).overflow { return true }
        guard t.type.isCustomerInitiated else { return false }
        return initiatedValue.addingReportingOverflow(value).overflow || windowValue.addingReportingOverflow(value).overflow
            || firstDayValue.addingReportingOverflow(value).overflow
    }

    /// Folds `t` unless a sum would overflow, in one access to the stored record: checking
    /// through a non-mutating call would copy the record (and retain its bit set) per row.
    /// Returns false, with nothing changed, on overflow.
    /// `keepingDay`: whether the purchase day goes into `initiatedDays`; ingest's fold keeps
    /// the recent days itself (`FoldPartitions`) and passes false.
    @inline(__always)
    public mutating func foldUnlessOverflow(_ t: Transaction, window: AnalysisWindow, keepingDay: Bool = true) -> Bool {
        if wouldOverflow(t) { return false }
        fold(t, window: window, keepingDay: keepingDay)
        return true
    }

    /// Adds one transaction on or before the as-of date.
    @inline(__always)
    public mutating func fold(_ t: Transaction, window: AnalysisWindow, keepingDay: Bool = true) {
        let day = t.day.number
        rows += 1
        if first == .min || day < first { first = day }
        let inWindow = window.inWindow(t.day)
        if inWindow {
            windowFees += t.fee
            if t.type == .fee { windowFees += Int64(t.amount.magnitude) }
        }
        if t.type == .salary && t.amount > 0, let period = window.salaryPeriod(t.day) {
            salaryPeriods |= 1 << UInt8(period)
        }
        guard t.type.isCustomerInitiated else { return }
        let value = Int64(t.amount.magnitude)
        initiatedValue += value
        if keepingDay { initiatedDays.insert(t.day, last: window.asOf) }
        // Int32.min, for none, is below every day.
        if day > lastInitiated { lastInitiated = day }
        if firstInitiated == .min || day < firstInitiated {
            firstInitiated = day
            firstDayValue = value
        } else if day == firstInitiated {
            firstDayValue += value
        }
        if inWindow {
            windowCount += 1
            windowValue += value
            if let c = t.channel { windowChannelCounts[Int(c.rawValue)] += 1 } else { windowNoChannel += 1 }
        }
        if window.inRecent(t.day) { recentCount += 1 } else if window.inPreviousRecent(t.day) { previousRecentCount += 1 }
    }

    /// Combines two partial activities of the same customer.
    public mutating func merge(_ o: CustomerActivity) {
        rows += o.rows
        if let d = o.firstDay, firstDay == nil || d < firstDay! { firstDay = d }
        if let d = o.lastInitiatedDay, lastInitiatedDay == nil || d > lastInitiatedDay! { lastInitiatedDay = d }
        if let d = o.firstInitiatedDay {
            if firstInitiatedDay == nil || d < firstInitiatedDay! {
                firstInitiatedDay = d
                firstDayValue = o.firstDayValue
            } else if d == firstInitiatedDay! {
                firstDayValue += o.firstDayValue
            }
        }
        initiatedValue += o.initiatedValue
        initiatedDays.formUnion(o.initiatedDays)
        windowCount += o.windowCount
        windowValue += o.windowValue
        recentCount += o.recentCount
        previousRecentCount += o.previousRecentCount
        windowFees += o.windowFees
        windowChannelCounts &+= o.windowChannelCounts
        windowNoChannel += o.windowNoChannel
        salaryPeriods |= o.salaryPeriods
    }

    /// Distinct purchase days.
    public var purchaseDays: Int { initiatedDays.isEmpty ? Int(settledPurchaseDays) : initiatedDays.count }

    /// Keeps only the count of purchase days and frees the bit set, once all rows are in.
    /// `addingDays`: purchase days kept apart from `initiatedDays` (never the same days).
    public mutating func settle(addingDays extra: Int = 0) {
        if !initiatedDays.isEmpty || extra > 0 {
            settledPurchaseDays = Int32(purchaseDays + extra)
            initiatedDays = DayBitset()
        }
    }
}
