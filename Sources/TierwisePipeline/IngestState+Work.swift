import TierwiseAnalytics
import TierwiseIO

/// Saving and loading ingest's result in the work folder, so that a rerun of a later stage
/// never reads the dumps again.
/// One figure of every record, read in place: mapping over the array would copy each record,
/// and retain and release what it references (an activity's bit set), for every column saved.
private func column<Record, T>(_ records: [Record], _ value: (borrowing Record) -> T) -> [T] {
    records.withUnsafeBufferPointer { records in
        [T](unsafeUninitializedCapacity: records.count) { out, initialized in
            for i in records.indices { (out.baseAddress! + i).initialize(to: value(records[i])) }
            initialized = records.count
        }
    }
}

extension IngestState {
    /// Puts every column into `t`; with a streaming table each is written and dropped at once.
    ///
    /// The accounts and the customer ids go first and are then dropped from this copy of the
    /// state: the save runs in the background while the features are built from the run's own
    /// copy, and the build frees those two as soon as it is done with them, which it can only
    /// do once this copy lets go of them too (see `perform(.ingest)`).
    mutating func save(into t: inout WorkTable) {
        t.put("account_customer", .int32(column(accounts) { $0.customer }))
        t.put("account_product", .uint8(column(accounts) { $0.product.rawValue }))
        t.put("account_opened", .int32(column(accounts) { $0.openedOn?.number ?? Int32.min }))
        t.put("account_closed", .int32(column(accounts) { $0.closedOn?.number ?? Int32.min }))
        t.put("account_balance", .int64(column(accounts) { $0.balance }))
        t.put("account_rate", .double(column(accounts) { $0.interestRate ?? .nan }))
        t.put("account_limit", .int64(column(accounts) { $0.creditLimit ?? -1 }))
        t.put("account_weighted_high", .int64(column(accounts) { $0.laterMovementWeighted.halves.high }))
        t.put("account_weighted_low", .int64(column(accounts) { $0.laterMovementWeighted.halves.low }))
        t.put("account_recent_movement", .int64(column(accounts) { $0.movementSinceRecentStart }))
        accounts = []
        let n = customerIds.count
        t.put("customer_id", .string((0..<n).map { customerIds.id(Int32($0)) }))
        customerIds = IdInterner()
        t.put("onboarded_on", .int32(profiles.onboarded))
        t.put("segment", .string(Array(profiles.segment)))
        t.put("risk_rating", .int8(profiles.risk))
        t.put("branch", .string(Array(profiles.branch)))
        t.put("manager_id", .string(Array(profiles.manager)))
        t.put("last_initiated", .int32(column(activity) { $0.lastInitiatedDay?.number ?? Int32.min }))
        t.put("first_initiated", .int32(column(activity) { $0.firstInitiatedDay?.number ?? Int32.min }))
        t.put("first_day_value", .int64(column(activity) { $0.firstDayValue }))
        t.put("initiated_value", .int64(column(activity) { $0.initiatedValue }))
        t.put("purchase_days", .int32(column(activity) { Int32($0.purchaseDays) }))
        t.put("window_count", .int32(column(activity) { $0.windowCount }))
        t.put("window_value", .int64(column(activity) { $0.windowValue }))
        t.put("recent_count", .int32(column(activity) { $0.recentCount }))
        t.put("previous_recent_count", .int32(column(activity) { $0.previousRecentCount }))
        t.put("window_fees", .int64(column(activity) { $0.windowFees }))
        for c in Channel.allCases { t.put("channel_\(c.name)", .int32(column(activity) { $0.windowChannelCounts[Int(c.rawValue)] })) }
        t.put("channel_none", .int32(column(activity) { $0.windowNoChannel }))
        t.put("salary_periods", .uint8(column(activity) { $0.salaryPeriods }))
        t.put("rows", .int32(column(activity) { $0.rows }))
        t.put("first_day", .int32(column(activity) { $0.firstDay?.number ?? Int32.min }))
    }

    init(work t: WorkTable, window: AnalysisWindow, counts: [InputCounts], hasAccounts: Bool, hasCustomers: Bool, transactionColumns: Set<String>) throws {
        self.init(window: window)
        self.counts = counts
        self.hasAccounts = hasAccounts
        self.hasCustomers = hasCustomers
        self.transactionColumns = transactionColumns
        let ids = try t.string("customer_id")
        let onboarded = try t.int32("onboarded_on"), segment = try t.string("segment"), risk = try t.int8("risk_rating")
        let branch = try t.string("branch"), manager = try t.string("manager_id")
        let last = try t.int32("last_initiated"), first = try t.int32("first_initiated"), firstValue = try t.int64("first_day_value")
        let value = try t.int64("initiated_value"), days = try t.int32("purchase_days"), wc = try t.int32("window_count")
        let wv = try t.int64("window_value"), rc = try t.int32("recent_count"), prc = try t.int32("previous_recent_count")
        let fees = try t.int64("window_fees"), none = try t.int32("channel_none"), salary = try t.uint8("salary_periods")
        let rows = try t.int32("rows"), firstDay = try t.int32("first_day")
        let channels = try Channel.allCases.map { try t.int32("channel_\($0.name)") }
        func day(_ v: Int32) -> Day? { v == Int32.min ? nil : Day(number: v) }
        for i in ids.indices {
            _ = customerIds.intern(ids[i])
            profiles.append(CustomerProfile(onboardedOn: day(onboarded[i]), segment: segment[i].isEmpty ? nil : segment[i],
                                            riskRating: risk[i] == 0 ? nil : risk[i], branch: branch[i].isEmpty ? nil : branch[i],
                                            manager: manager[i].isEmpty ? nil : manager[i]))
            var a = CustomerActivity()
            a.lastInitiatedDay = day(last[i]); a.firstInitiatedDay = day(first[i]); a.firstDayValue = firstValue[i]
            a.initiatedValue = value[i]; a.settledPurchaseDays = days[i]; a.windowCount = wc[i]; a.windowValue = wv[i]
            a.recentCount = rc[i]; a.previousRecentCount = prc[i]; a.windowFees = fees[i]; a.windowNoChannel = none[i]
            for (k, c) in channels.enumerated() { a.windowChannelCounts[k] = c[i] }
            a.salaryPeriods = salary[i]; a.rows = rows[i]; a.firstDay = day(firstDay[i])
            activity.append(a)
        }
        let ac = try t.int32("account_customer"), ap = try t.uint8("account_product"), ao = try t.int32("account_opened")
        let acl = try t.int32("account_closed"), ab = try t.int64("account_balance"), ar = try t.double("account_rate")
        let al = try t.int64("account_limit"), wh = try t.int64("account_weighted_high"), wl = try t.int64("account_weighted_low")
        let arm = try t.int64("account_recent_movement")
        for k in ac.indices {
            var a = AccountState(customer: ac[k], product: Product(rawValue: ap[k]) ?? .checking, openedOn: day(ao[k]), closedOn: day(acl[k]),
                                 balance: ab[k], interestRate: ar[k].isNaN ? nil : ar[k], creditLimit: al[k] < 0 ? nil : al[k])
            a.laterMovementWeighted = Int128(high: wh[k], low: wl[k])
            a.movementSinceRecentStart = arm[k]
            accounts.append(a)
        }
    }

    /// The feature table of this state. Takes the customer ids and the accounts out of the
    /// state first, so the build can free them as soon as it is done with them instead of
    /// holding them beside the table it grows; the state is spent afterwards.
    mutating func takeFeatures() -> FeatureTable {
        let ids = (0..<customerIds.count).map { customerIds.id(Int32($0)) }
        customerIds = IdInterner()
        let accounts = self.accounts
        self.accounts = []
        return FeatureTable.build(ids: ids, profiles: profiles, activity: activity,
                                  accounts: consume accounts, window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers,
                                  hasChannel: transactionColumns.contains("channel"), hasFees: transactionColumns.contains("fee") || transactionColumns.contains("type"),
                                  hasTypes: transactionColumns.contains("type"))
    }
}
