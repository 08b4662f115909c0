extension FeatureTable {
    /// Builds the table from what ingest folded. Customers are put in byte order of their
    /// ids, so every later output is sorted the same way on any machine.
    ///
    /// The accounts are consumed: they are freed once their aggregates are done, before the
    /// per-customer columns grow, so pass them with `consume` when nothing else needs them.
    ///
    /// - Complexity: O(c log c + a) for c customers and a accounts.
    public static func build(ids: [String], profiles: ProfileTable, activity: [CustomerActivity], accounts: consuming [AccountState],
                             window: AnalysisWindow, hasAccounts: Bool, hasCustomers: Bool, hasChannel: Bool, hasFees: Bool, hasTypes: Bool) -> FeatureTable {
        var t = FeatureTable(window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers, hasChannel: hasChannel, hasFees: hasFees, hasTypes: hasTypes)
        let n = ids.count
        let order = byteOrder(ids)
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
        t.reserve(n)
        for i in order {
            let act = activity[i]
            t.ids.append(ids[i])
            t.riskRating.append(profiles.risk[i])
            t.recencyDays.append(act.lastInitiatedDay.map { asOf - $0.number } ?? -1)
            t.frequency.append(act.windowCount)
            t.monetary.append(act.windowValue)
            if let first = act.firstInitiatedDay, let last = act.lastInitiatedDay {
                t.repeatDays.append(Int32(act.purchaseDays - 1))
                t.lastPurchaseAgeDays.append(last.number - first.number)
                t.firstPurchaseAgeDays.append(asOf - first.number)
                t.repeatValue.append(act.initiatedValue - act.firstDayValue)
            } else {
                t.repeatDays.append(0)
                t.lastPurchaseAgeDays.append(0)
                t.firstPurchaseAgeDays.append(-1)
                t.repeatValue.append(0)
            }
            t.recentCount.append(act.recentCount)
            t.previousRecentCount.append(act.previousRecentCount)
            t.fees.append(act.windowFees)
            for k in 0..<Channel.allCases.count { t.channelCounts[k].append(act.windowChannelCounts[k]) }
            t.channelCounts[Channel.allCases.count].append(act.windowNoChannel)
            t.salaryPeriods.append(act.salaryPeriods)
            let opening = firstOpening[t.ids.count - 1]
            let onboarded = profiles.onboarded[i]
            let tenure = onboarded != Int32.min ? onboarded : (opening != Int32.max ? opening : act.firstDay?.number ?? Int32.min)
            t.tenureStart.append(tenure)
        }
        return t
    }

    /// Only the columns RFM reads: the ids, recency, frequency and monetary, in the order
    /// `build` gives, the other columns left empty. For an RFM-only run, which neither saves
    /// the table nor runs another stage on it: the rest of the build (the accounts'
    /// aggregates, the holdings, the profiles) was 0.2 s on L at the end of such a run.
    public static func buildRFM(ids: [String], activity: [CustomerActivity], window: AnalysisWindow,
                                hasAccounts: Bool, hasCustomers: Bool, hasChannel: Bool, hasFees: Bool, hasTypes: Bool) -> FeatureTable {
        var t = FeatureTable(window: window, hasAccounts: hasAccounts, hasCustomers: hasCustomers, hasChannel: hasChannel, hasFees: hasFees, hasTypes: hasTypes)
        let asOf = window.asOf.number
        let order = byteOrder(ids)
        t.reserve(ids.count)
        for i in order {
            let act = activity[i]
            t.ids.append(ids[i])
            t.recencyDays.append(act.lastInitiatedDay.map { asOf - $0.number } ?? -1)
            t.frequency.append(act.windowCount)
            t.monetary.append(act.windowValue)
        }
        return t
    }

    /// The positions of `ids` in byte order of the ids. Dumps usually list customers in id
    /// order, and ids are numbered as first read: then one pass shows that they are in order
    /// already, and the sort (0.05 s on L, and the build's loops then read the activity in
    /// order) is skipped.
    static func byteOrder(_ ids: [String]) -> [Int] {
        let inOrder = zip(ids, ids.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return inOrder ? Array(0..<ids.count) : (0..<ids.count).sorted { ids[$0].utf8.lexicographicallyPrecedes(ids[$1].utf8) }
    }

    mutating func reserve(_ n: Int) {
        ids.reserveCapacity(n)
        recencyDays.reserveCapacity(n)
        frequency.reserveCapacity(n)
        monetary.reserveCapacity(n)
    }
}
