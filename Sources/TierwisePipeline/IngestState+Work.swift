import TierwiseAnalytics
import TierwiseIO

/// Saving and loading ingest's result in the work folder, so that a rerun of a later stage
/// never reads the dumps again.
extension IngestState {
    /// The columns from the dumps, which the transactions do not change: the accounts as the
    /// dump gave them, and the customers known before the transactions (`customerIds`) with
    /// their profiles. The first of the table. Ingest puts them while it reads the
    /// transactions (see `Ingest.dumpsRead`), so that 58 MB of L's 127 MB are on their way to
    /// the disk before the run's end, where the rest of the save waits for it.
    static func saveDumpColumns(_ dumps: DumpsRead, into t: inout WorkTable) {
        let accounts = dumps.accounts, ids = dumps.customerIds, profiles = dumps.profiles
        t.putColumns([("account_customer", .int32), ("account_product", .uint8), ("account_opened", .int32), ("account_closed", .int32),
                      ("account_balance", .int64), ("account_rate", .double), ("account_limit", .int64)], count: accounts.count) { rows, out in
            let customer = out[0].assumingMemoryBound(to: Int32.self), product = out[1].assumingMemoryBound(to: UInt8.self)
            let opened = out[2].assumingMemoryBound(to: Int32.self), closed = out[3].assumingMemoryBound(to: Int32.self)
            let balance = out[4].assumingMemoryBound(to: Int64.self), rate = out[5].assumingMemoryBound(to: Double.self)
            let limit = out[6].assumingMemoryBound(to: Int64.self)
            for (j, i) in rows.enumerated() {
                let a = AccountState.dumpFields(at: accounts.baseAddress! + i)
                customer[j] = a.customer
                product[j] = a.product.rawValue
                opened[j] = a.opened
                closed[j] = a.closed
                balance[j] = a.balance
                rate[j] = a.rateOrNaN
                limit[j] = a.limitOrMin == Int64.min ? -1 : a.limitOrMin
            }
        }
        t.putStrings("customer_id", count: ids.count) { ids.id(Int32($0)) }
        t.put("onboarded_on", .int32(profiles.onboarded))
        t.putStrings("segment", count: profiles.segment.count) { profiles.segment[$0] }
        t.put("risk_rating", .int8(profiles.risk))
        t.putStrings("branch", count: profiles.branch.count) { profiles.branch[$0] }
        t.putStrings("manager_id", count: profiles.manager.count) { profiles.manager[$0] }
    }

    /// Puts the columns into `t`: after the dumps' columns when those are put already for
    /// the first `dumpCustomers` customers (`saveDumpColumns`), else with them, for every
    /// customer. The customers after those (first seen in the transactions, with empty
    /// profiles) are in `customer_id_added`. With a streaming table each column is written
    /// and dropped at once.
    ///
    /// The accounts and the customer ids go first and are then dropped from this copy of the
    /// state: the save runs in the background while the features are built from the run's own
    /// copy, and the build frees those two as soon as it is done with them, which it can only
    /// do once this copy lets go of them too (see `perform(.ingest)`).
    mutating func save(into t: inout WorkTable, dumpCustomers: Int? = nil) {
        // The local copy of the accounts is gone by the time this copy drops them below.
        do {
            let accounts = self.accounts
            accounts.withUnsafeBufferPointer { a in
                if dumpCustomers == nil { IngestState.saveDumpColumns(DumpsRead(accounts: a, customerIds: customerIds, profiles: profiles), into: &t) }
                t.putColumns([("account_weighted_high", .int64), ("account_weighted_low", .int64), ("account_recent_movement", .int64)],
                             count: a.count) { rows, out in
                    let high = out[0].assumingMemoryBound(to: Int64.self), low = out[1].assumingMemoryBound(to: Int64.self)
                    let recent = out[2].assumingMemoryBound(to: Int64.self)
                    for (j, i) in rows.enumerated() {
                        let weighted = a[i].laterMovementWeighted.halves
                        high[j] = weighted.high
                        low[j] = weighted.low
                        recent[j] = a[i].movementSinceRecentStart
                    }
                }
            }
        }
        accounts = []
        let ids = customerIds, from = dumpCustomers ?? ids.count
        t.putStrings("customer_id_added", count: ids.count - from) { ids.id(Int32(from + $0)) }
        customerIds = IdInterner()
        let channels = Channel.allCases
        let activityColumns: [(name: String, type: WorkTable.FixedType)] =
            [("last_initiated", .int32), ("first_initiated", .int32), ("first_day_value", .int64), ("initiated_value", .int64),
             ("purchase_days", .int32), ("window_count", .int32), ("window_value", .int64), ("recent_count", .int32),
             ("previous_recent_count", .int32), ("window_fees", .int64)]
            + channels.map { ("channel_\($0.name)", .int32) }
            + [("channel_none", .int32), ("salary_periods", .uint8), ("rows", .int32), ("first_day", .int32)]
        let activity = self.activity
        t.putColumns(activityColumns, count: activity.count) { rows, out in
            func int32(_ k: Int) -> UnsafeMutablePointer<Int32> { out[k].assumingMemoryBound(to: Int32.self) }
            func int64(_ k: Int) -> UnsafeMutablePointer<Int64> { out[k].assumingMemoryBound(to: Int64.self) }
            let last = int32(0), first = int32(1), firstValue = int64(2), initiated = int64(3), purchaseDays = int32(4)
            let windowCount = int32(5), windowValue = int64(6), recent = int32(7), previousRecent = int32(8), fees = int64(9)
            let c = 10 + channels.count
            let none = int32(c), salary = out[c + 1].assumingMemoryBound(to: UInt8.self), rowCount = int32(c + 2), firstDay = int32(c + 3)
            activity.withUnsafeBufferPointer { a in
                for (j, i) in rows.enumerated() {
                    last[j] = a[i].lastInitiatedDay?.number ?? Int32.min
                    first[j] = a[i].firstInitiatedDay?.number ?? Int32.min
                    firstValue[j] = a[i].firstDayValue
                    initiated[j] = a[i].initiatedValue
                    purchaseDays[j] = Int32(a[i].purchaseDays)
                    windowCount[j] = a[i].windowCount
                    windowValue[j] = a[i].windowValue
                    recent[j] = a[i].recentCount
                    previousRecent[j] = a[i].previousRecentCount
                    fees[j] = a[i].windowFees
                    for (k, channel) in channels.enumerated() { int32(10 + k)[j] = a[i].windowChannelCounts[Int(channel.rawValue)] }
                    none[j] = a[i].windowNoChannel
                    salary[j] = a[i].salaryPeriods
                    rowCount[j] = a[i].rows
                    firstDay[j] = a[i].firstDay?.number ?? Int32.min
                }
            }
        }
    }

    init(work t: WorkTable, window: AnalysisWindow, counts: [InputCounts], hasAccounts: Bool, hasCustomers: Bool, transactionColumns: Set<String>) throws {
        self.init(window: window)
        self.counts = counts
        self.hasAccounts = hasAccounts
        self.hasCustomers = hasCustomers
        self.transactionColumns = transactionColumns
        // Before the customers first seen in the transactions were saved apart, every customer
        // was in "customer_id"; such a table has no "customer_id_added".
        var ids = try t.string("customer_id")
        if case .string(let added)? = t.column("customer_id_added") { ids += added }
        let onboarded = try t.int32("onboarded_on"), segment = try t.string("segment"), risk = try t.int8("risk_rating")
        let branch = try t.string("branch"), manager = try t.string("manager_id")
        let last = try t.int32("last_initiated"), first = try t.int32("first_initiated"), firstValue = try t.int64("first_day_value")
        let value = try t.int64("initiated_value"), days = try t.int32("purchase_days"), wc = try t.int32("window_count")
        let wv = try t.int64("window_value"), rc = try t.int32("recent_count"), prc = try t.int32("previous_recent_count")
        let fees = try t.int64("window_fees"), none = try t.int32("channel_none"), salary = try t.uint8("salary_periods")
        let rows = try t.int32("rows"), firstDay = try t.int32("first_day")
        let channels = try Channel.allCases.map { try t.int32("channel_\($0.name)") }
        func day(_ v: Int32) -> Day? { v == Int32.min ? nil : Day(number: v) }
        guard [onboarded.count, segment.count, risk.count, branch.count, manager.count].allSatisfy({ $0 == onboarded.count && $0 <= ids.count }) else {
            throw IOError(.malformedFile, path: "ingest.twk", message: "the customers' profile columns differ in length", remedy: "Run again with --force")
        }
        var activityCounts: [Int] = [last.count, first.count, firstValue.count, value.count, days.count, wc.count, wv.count]
        activityCounts += [rc.count, prc.count, fees.count, none.count, salary.count, rows.count, firstDay.count]
        activityCounts += channels.map(\.count)
        guard activityCounts.allSatisfy({ $0 == ids.count }) else {
            throw IOError(.malformedFile, path: "ingest.twk", message: "the customers' activity columns differ in length from their ids", remedy: "Run again with --force")
        }
        for i in ids.indices {
            _ = customerIds.intern(ids[i])
            // The customers after those of the dumps have empty profiles.
            profiles.append(i >= onboarded.count ? CustomerProfile() :
                CustomerProfile(onboardedOn: day(onboarded[i]), segment: segment[i].isEmpty ? nil : segment[i],
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
    /// holding them beside the table it grows; the state is spent afterwards. With `rfmOnly`,
    /// only the columns RFM reads (`FeatureTable.buildRFM`).
    mutating func takeFeatures(rfmOnly: Bool = false, threads: Int = 1) -> FeatureTable {
        let interner = customerIds
        let ids = parallelMap(interner.count, threads: threads, initial: "") { interner.id(Int32($0)) }
        customerIds = IdInterner()
        let hasChannel = transactionColumns.contains("channel"), hasTypes = transactionColumns.contains("type")
        let hasFees = transactionColumns.contains("fee") || hasTypes
        if rfmOnly {
            accounts = []
            return FeatureTable.buildRFM(ids: ids, activity: activity, window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers,
                                         hasChannel: hasChannel, hasFees: hasFees, hasTypes: hasTypes, threads: threads)
        }
        let accounts = self.accounts
        self.accounts = []
        return FeatureTable.build(ids: ids, profiles: profiles, activity: activity,
                                  accounts: consume accounts, window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers,
                                  hasChannel: hasChannel, hasFees: hasFees, hasTypes: hasTypes, threads: threads)
    }
}
