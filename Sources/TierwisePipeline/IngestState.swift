import TierwiseAnalytics

/// What ingest builds: every customer of the union of the three dumps, with its profile,
/// its folded transaction activity and its accounts. Memory grows with customers and
/// accounts, never with transaction rows.
public struct IngestState: Sendable {
    public var window: AnalysisWindow
    public var customerIds = IdInterner(capacity: 1 << 16)
    public var profiles: [CustomerProfile] = []
    public var activity: [CustomerActivity] = []
    public var accountIds = IdInterner(capacity: 1 << 16)
    public var accounts: [AccountState] = []
    public var counts: [InputCounts] = []
    /// Whether each optional dump was given, so metrics that need it can say so.
    public var hasAccounts = false
    public var hasCustomers = false
    /// Transaction columns present in every transactions file.
    public var transactionColumns: Set<String> = []

    public init(window: AnalysisWindow) { self.window = window }

    /// The index of a customer, adding an empty one when new.
    @inline(__always)
    mutating func customer(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let index = customerWithoutActivity(bytes)
        if Int(index) == activity.count { activity.append(CustomerActivity()) }
        return index
    }

    /// The index of a customer, adding an empty profile when new: while transactions are
    /// folded, `FoldPartitions` holds the activity and adds new customers' itself.
    @inline(__always)
    mutating func customerWithoutActivity(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let index = customerIds.intern(bytes)
        if Int(index) == profiles.count { profiles.append(CustomerProfile()) }
        return index
    }
}
