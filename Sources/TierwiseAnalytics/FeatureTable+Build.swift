extension FeatureTable {
    /// Builds the table from what ingest folded. Customers are put in byte order of their
    /// ids, so every later output is sorted the same way on any machine.
    ///
    /// The accounts are consumed: they are freed once their aggregates are done, before the
    /// per-customer columns grow, so pass them with `consume` when nothing else needs them.
    ///
    /// The per-customer columns are built in parts on up to `threads` threads and put one
    /// after another: every row is the same on any number.
    ///
    /// - Complexity: O(c log c + a) for c customers and a accounts.
    public static func build(ids: [String], profiles: ProfileTable, activity: [CustomerActivity], accounts: consuming [AccountState],
                             window: AnalysisWindow, hasAccounts: Bool, hasCustomers: Bool, hasChannel: Bool, hasFees: Bool, hasTypes: Bool,
                             threads: Int = 1) -> FeatureTable {
        var t = FeatureTable(window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers, hasChannel: hasChannel, hasFees: hasFees, hasTypes: hasTypes)
        let n = ids.count
        let order = byteOrder(ids, threads: threads)
        let asOf = window.asOf.number

        // Account aggregates go straight into the output rows (by sorted position), so no
        // second set of per-product figures is ever held. The products each customer holds
        // come first, to lay out the holdings' entries. (`copy` only retains the accounts for
        // a loop: a consuming parameter is never copied implicitly.)
        var position = [Int](repeating: 0, count: n)
        for (k, i) in order.enumerated() { position[i] = k }
        var held = [UInt8](repeating: 0, count: n)
        for a in copy accounts { held[position[Int(a.customer)]] |= 1 << a.product.rawValue }
        t.holdings = ProductHoldings(held: held)
        t.depositBalance = [Int64](repeating: 0, count: n)
        t.depositBalanceRecentStart = [Int64](repeating: 0, count: n)
        var lastClosure = [Int32](repeating: Int32.min, count: n)
        t.accountCount = [Int32](repeating: 0, count: n)
        var firstOpening = [Int32](repeating: Int32.max, count: n)
        // In account order, as the sums were always taken, so the doubles are the same to the bit.
        for a in copy accounts {
            let c = position[Int(a.customer)], e = t.holdings.entry(a.product, c)!
            t.accountCount[c] += 1
            if let o = a.openedOn { firstOpening[c] = min(firstOpening[c], o.number) }
            if let closed = a.closedOn, closed.number <= asOf { lastClosure[c] = max(lastClosure[c], closed.number) }
            if let range = a.openRange(in: window), let adb = a.averageDailyBalance(in: window) {
                let days = Double(range.upperBound - range.lowerBound + 1)
                t.holdings.balanceDays[e] += adb * days
                t.holdings.balanceDaysRate[e] += adb * days * (a.interestRate ?? 0)
            }
            if a.isOpen(at: window.asOf) {
                t.holdings.openAccounts[e] += 1
                t.holdings.balance[e] += a.balance
            }
            if a.product.isDeposit {
                if a.isOpen(at: window.asOf) { t.depositBalance[c] += a.balance }
                if a.isOpen(at: window.asOf - window.recentDays) { t.depositBalanceRecentStart[c] += a.balanceAtRecentStart }
            }
        }
        _ = consume accounts
        t.daysSinceClosure = lastClosure.map { $0 == Int32.min ? -1 : asOf - $0 }

        // The profile columns are already coded: only their rows move to the sorted order.
        t.manager = profiles.manager.reordered(order)
        t.segment = profiles.segment.reordered(order)
        t.branch = profiles.branch.reordered(order)
        // In parts at the same time (on L, 0.18 s on one core while the other had finished
        // saving ingest's table), put one after another: a row's values never depend on
        // another row, so the table is the same on any number of threads.
        let ranges = partsOf(n, threads: threads), firstOpeningByRow = firstOpening
        let parts = mapJobs(ranges.count, threads: threads) { k in
            var part = FeatureTable(window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers, hasChannel: hasChannel,
                                    hasFees: hasFees, hasTypes: hasTypes)
            part.appendCustomers(order[ranges[k]], from: ranges[k].lowerBound, ids: ids, profiles: profiles, activity: activity,
                                 firstOpening: firstOpeningByRow)
            return part
        }
        t.reserveCustomers(n)
        for part in parts { t.appendCustomers(of: part) }
        return t
    }

    /// Ranges of rows to build at the same time: two a thread, so that one that finishes
    /// early takes another; one for one thread or few customers.
    static func partsOf(_ n: Int, threads: Int) -> [Range<Int>] {
        let count = threads <= 1 || n < 4_096 ? 1 : 2 * threads
        return (0..<count).map { k in (n * k / count)..<(n * (k + 1) / count) }
    }

    /// Appends the per-customer columns of the customers `rows` (positions into `ids`,
    /// `activity` and `profiles`), the first of them at sorted position `first`.
    private mutating func appendCustomers(_ rows: ArraySlice<Int>, from first: Int, ids: [String], profiles: ProfileTable,
                                          activity: [CustomerActivity], firstOpening: [Int32]) {
        let asOf = window.asOf.number
        reserveCustomers(rows.count)
        for (k, i) in zip(first..., rows) {
            let act = activity[i]
            appendRFM(id: ids[i], act, asOf: asOf)
            riskRating.append(profiles.risk[i])
            if let first = act.firstInitiatedDay, let last = act.lastInitiatedDay {
                repeatDays.append(Int32(act.purchaseDays - 1))
                lastPurchaseAgeDays.append(last.number - first.number)
                firstPurchaseAgeDays.append(asOf - first.number)
                repeatValue.append(act.initiatedValue - act.firstDayValue)
            } else {
                repeatDays.append(0)
                lastPurchaseAgeDays.append(0)
                firstPurchaseAgeDays.append(-1)
                repeatValue.append(0)
            }
            recentCount.append(act.recentCount)
            previousRecentCount.append(act.previousRecentCount)
            fees.append(act.windowFees)
            for c in 0..<Channel.allCases.count { channelCounts[c].append(act.windowChannelCounts[c]) }
            channelCounts[Channel.allCases.count].append(act.windowNoChannel)
            salaryPeriods.append(act.salaryPeriods)
            let opening = firstOpening[k]
            let onboarded = profiles.onboarded[i]
            let tenure = onboarded != Int32.min ? onboarded : (opening != Int32.max ? opening : act.firstDay?.number ?? Int32.min)
            tenureStart.append(tenure)
        }
    }

    /// The per-customer columns of whole numbers that `appendCustomers` fills, besides the
    /// ids, risk ratings, channel counts and salary periods.
    private static let int32Columns: [WritableKeyPath<FeatureTable, [Int32]>] = [
        \.recencyDays, \.frequency, \.repeatDays, \.lastPurchaseAgeDays, \.firstPurchaseAgeDays, \.recentCount, \.previousRecentCount,
        \.tenureStart,
    ]
    private static let int64Columns: [WritableKeyPath<FeatureTable, [Int64]>] = [\.monetary, \.repeatValue, \.fees]

    /// Room for `n` customers in every per-customer column.
    private mutating func reserveCustomers(_ n: Int) {
        ids.reserveCapacity(n); riskRating.reserveCapacity(n); salaryPeriods.reserveCapacity(n)
        for c in Self.int32Columns { self[keyPath: c].reserveCapacity(n) }
        for c in Self.int64Columns { self[keyPath: c].reserveCapacity(n) }
        for c in channelCounts.indices { channelCounts[c].reserveCapacity(n) }
    }

    /// Appends the per-customer columns of `part`, built by `appendCustomers`.
    private mutating func appendCustomers(of part: FeatureTable) {
        ids += part.ids; riskRating += part.riskRating; salaryPeriods += part.salaryPeriods
        for c in Self.int32Columns { self[keyPath: c] += part[keyPath: c] }
        for c in Self.int64Columns { self[keyPath: c] += part[keyPath: c] }
        for c in channelCounts.indices { channelCounts[c] += part.channelCounts[c] }
    }

    /// Only the columns RFM reads: the ids, recency, frequency and monetary, in the order
    /// `build` gives, the other columns left empty. For an RFM-only run, which neither saves
    /// the table nor runs another stage on it: the rest of the build (the accounts'
    /// aggregates, the holdings, the profiles) was 0.2 s on L at the end of such a run.
    public static func buildRFM(ids: [String], activity: [CustomerActivity], window: AnalysisWindow,
                                hasAccounts: Bool, hasCustomers: Bool, hasChannel: Bool, hasFees: Bool, hasTypes: Bool, threads: Int = 1) -> FeatureTable {
        var t = FeatureTable(window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers, hasChannel: hasChannel, hasFees: hasFees, hasTypes: hasTypes)
        let asOf = window.asOf.number
        let order = byteOrder(ids, threads: threads)
        t.ids.reserveCapacity(ids.count); t.recencyDays.reserveCapacity(ids.count)
        t.frequency.reserveCapacity(ids.count); t.monetary.reserveCapacity(ids.count)
        for i in order { t.appendRFM(id: ids[i], activity[i], asOf: asOf) }
        return t
    }

    /// The positions of `ids` in byte order of the ids. Dumps usually list customers in id
    /// order, and ids are numbered as first read: then one pass shows that they are in order
    /// already, and the sort (0.05 s on L, and the build's loops then read the activity in
    /// order) is skipped. The pass compares the bytes a word at a time, in chunks on up to
    /// `threads` threads: through the strings' UTF-8 views it took 0.05 s on L.
    public static func byteOrder(_ ids: [String], threads: Int = 1) -> [Int] {
        let n = ids.count, chunk = 16_384
        // Each chunk also compares its first id with the one before it.
        let inOrder = parallelMap((n + chunk - 1) / chunk, threads: threads, chunk: 1, initial: true) { c in
            (max(1, c * chunk)..<min(n, (c + 1) * chunk)).allSatisfy { bytesPrecede(ids[$0 - 1], ids[$0]) }
        }
        return inOrder.allSatisfy { $0 } ? Array(0..<n) : (0..<n).sorted { bytesPrecede(ids[$0], ids[$1]) }
    }

    /// Whether `a`'s UTF-8 bytes come strictly before `b`'s, as `lexicographicallyPrecedes` of
    /// the two `utf8` views says.
    @inline(__always)
    static func bytesPrecede(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                // Eight bytes at a time, read big-endian so that the words order as the bytes do.
                let common = min(x.count, y.count)
                var i = 0
                while i + 8 <= common {
                    let u = UInt64(bigEndian: UnsafeRawPointer(x.baseAddress!).loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    let v = UInt64(bigEndian: UnsafeRawPointer(y.baseAddress!).loadUnaligned(fromByteOffset: i, as: UInt64.self))
                    if u != v { return u < v }
                    i += 8
                }
                while i < common {
                    if x[i] != y[i] { return x[i] < y[i] }
                    i += 1
                }
                return x.count < y.count
            }
        }
    }

    /// Appends a customer's id and the columns RFM reads, as `build` and `buildRFM` both do.
    @inline(__always)
    private mutating func appendRFM(id: String, _ act: CustomerActivity, asOf: Int32) {
        ids.append(id)
        recencyDays.append(act.lastInitiatedDay.map { asOf - $0.number } ?? -1)
        frequency.append(act.windowCount)
        monetary.append(act.windowValue)
    }
}
