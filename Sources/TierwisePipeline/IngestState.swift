import TierwiseAnalytics

/// What ingest builds: every customer of the union of the three dumps, with its profile,
/// its folded transaction activity and its accounts. Memory grows with customers and
/// accounts, never with transaction rows.
public struct IngestState: Sendable {
    public var window: AnalysisWindow
    public var customerIds = IdInterner(capacity: 1 << 16)
    public var profiles = ProfileTable()
    public var activity: [CustomerActivity] = []
    /// Each customer's Σ|balance| of accounts while the dumps are read. The transactions fold
    /// takes it into `CustomerActivity.accountMagnitude`; kept apart until then so that the
    /// activity is first built where the fold keeps it, not built here and moved there.
    public var accountMagnitude: [Int64] = []
    public var accountIds = IdInterner(capacity: 1 << 16)
    public var accounts: [AccountState] = []
    public var counts: [InputCounts] = []
    /// Whether each optional dump was given, so metrics that need it can say so.
    public var hasAccounts = false
    public var hasCustomers = false
    /// Transaction columns present in every transactions file.
    public var transactionColumns: Set<String> = []

    public init(window: AnalysisWindow) { self.window = window }

    /// The index of a customer of the dumps, adding an empty one when new.
    @inline(__always)
    mutating func customer(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let index = customerWithoutActivity(bytes)
        while accountMagnitude.count <= Int(index) { accountMagnitude.append(0) }
        return index
    }

    /// The index of a customer, adding an empty profile when new: `FoldPartitions` holds the
    /// activity and adds new customers' itself.
    @inline(__always)
    mutating func customerWithoutActivity(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let index = customerIds.intern(bytes)
        if Int(index) == profiles.count { profiles.appendEmpty() }
        return index
    }
}

/// What ingest knows once the customers and accounts dumps are read, as the transactions
/// start (`Ingest.dumpsRead`).
struct DumpsRead {
    /// The accounts the transactions are folded into meanwhile: only the fields from the
    /// dump may be read, with `AccountState.dumpFields`, as the fold writes the others.
    let accounts: UnsafeBufferPointer<AccountState>
    /// The customers of the dumps and their profiles: copies, which the transactions leave
    /// as they are (a customer first seen in them is added to the state's own).
    let customerIds: IdInterner
    let profiles: ProfileTable
}
