import Testing
import TierwiseAnalytics

@Test func dormantOneDayEitherSideOfTheThreshold() {
    var bank = Bank()
    let before = bank.customer("A"), at = bank.customer("B")
    bank.txn(before, daysAgo: 89, amount: -10)
    bank.txn(at, daysAgo: 90, amount: -10)
    let t = bank.table()
    let p = ChurnParameters()
    #expect(!ChurnRules.assess(t, 0, p, pAlive: nil).flags.contains(.dormant))
    let flagged = ChurnRules.assess(t, 1, p, pAlive: nil)
    #expect(flagged.flags.contains(.dormant))
    #expect(flagged.reasons.first == "no activity for 90 days after 1 transactions in the last 365 days")
}

@Test func activityDropAtExactlyHalfIsNotFlagged() {
    var bank = Bank()
    let half = bank.customer("a-half"), below = bank.customer("b-below"), few = bank.customer("c-few")
    for k in 0..<8 { bank.txn(half, daysAgo: 100 + k, amount: -1); bank.txn(below, daysAgo: 100 + k, amount: -1) }
    for k in 0..<4 { bank.txn(half, daysAgo: 10 + k, amount: -1) }
    for k in 0..<3 { bank.txn(below, daysAgo: 10 + k, amount: -1) }
    for k in 0..<5 { bank.txn(few, daysAgo: 100 + k, amount: -1) }
    let t = bank.table()
    #expect(!ChurnRules.assess(t, 0, ChurnParameters(), pAlive: nil).flags.contains(.activityDrop))
    #expect(ChurnRules.assess(t, 1, ChurnParameters(), pAlive: nil).flags.contains(.activityDrop))
    #expect(!ChurnRules.assess(t, 2, ChurnParameters(), pAlive: nil).flags.contains(.activityDrop), "fewer than 6 in the earlier period")
}

@Test func salaryStoppedFortyFourAndFortySixDaysAgo() {
    var bank = Bank()
    let recent = bank.customer("paid-44"), stopped = bank.customer("paid-46")
    for c in [recent, stopped] { bank.txn(c, daysAgo: c == recent ? 44 : 46, amount: 2500, type: .salary, channel: .online) }
    for c in [recent, stopped] { bank.txn(c, daysAgo: 80, amount: 2500, type: .salary, channel: .online) }
    let t = bank.table()
    #expect(!ChurnRules.assess(t, 0, ChurnParameters(), pAlive: nil).flags.contains(.salaryStopped))
    let a = ChurnRules.assess(t, 1, ChurnParameters(), pAlive: nil)
    #expect(a.flags.contains(.salaryStopped))
    #expect(a.severity == .watch)
}

@Test func productClosedOnlyWhileOthersStayOpen() {
    var bank = Bank()
    let keeps = bank.customer("keeps"), leaves = bank.customer("leaves")
    bank.account(keeps, .checking, balance: 100)
    bank.account(keeps, .savings, balance: 0, closedDaysAgo: 30)
    bank.account(leaves, .savings, balance: 0, closedDaysAgo: 30)
    let t = bank.table()
    #expect(ChurnRules.assess(t, 0, ChurnParameters(), pAlive: nil).flags.contains(.productClosed))
    #expect(!ChurnRules.assess(t, 1, ChurnParameters(), pAlive: nil).flags.contains(.productClosed))
}

@Test func balanceDropAndSalaryStoppedTogetherAreCritical() {
    var bank = Bank()
    let c = bank.customer("c")
    let savings = bank.account(c, .savings, balance: 1000)
    bank.txn(c, daysAgo: 30, amount: -9000, type: .transfer, channel: .online, account: savings)
    bank.txn(c, daysAgo: 50, amount: 2500, type: .salary, channel: .online)
    bank.txn(c, daysAgo: 80, amount: 2500, type: .salary, channel: .online)
    let t = bank.table()
    #expect(t.depositBalanceRecentStart[0] == 100_000_000)
    let a = ChurnRules.assess(t, 0, ChurnParameters(), pAlive: nil)
    #expect(a.flags.contains(.balanceDrop) && a.flags.contains(.salaryStopped))
    #expect(a.severity == .critical)
}

@Test func withoutAModelLowPAliveIsUncheckedNotGuessed() {
    var bank = Bank()
    let c = bank.customer("c")
    bank.txn(c, daysAgo: 5, amount: -1)
    let a = ChurnRules.assess(bank.table(), 0, ChurnParameters(), pAlive: nil)
    #expect(a.unchecked.contains { $0.hasPrefix("LOW_P_ALIVE") })
    #expect(ChurnRules.valueAtRisk(flags: [.dormant], clv: 1000, pAlive: nil) == nil)
    #expect(ChurnRules.valueAtRisk(flags: [.dormant], clv: 10_000, pAlive: 0.25) == 7_500)
    #expect(ChurnRules.valueAtRisk(flags: [.dormant], clv: -10_000, pAlive: 0.25) == 0)
    #expect(ChurnRules.valueAtRisk(flags: [], clv: 10_000, pAlive: 0.25) == nil)
}

@Test func negativeProfitCustomer() {
    var bank = Bank()
    let c = bank.customer("costly")
    bank.account(c, .checking, balance: 10)
    for k in 0..<20 { bank.txn(c, daysAgo: k + 1, amount: -5, type: .withdrawal, channel: .branch) }
    let parts = Profitability.parts(bank.table(), 0, ProfitParameters())
    #expect(parts.costToServe == (20 * 45_000 + 240_000))
    #expect(parts.profit < 0)
    #expect(parts.profit == parts.netInterestIncome! + parts.feeIncome - parts.expectedLoss! - parts.costToServe)
}

@Test func withoutAccountsInterestIncomeIsUnknownNotZero() {
    var bank = Bank()
    bank.hasAccounts = false
    let c = bank.customer("c")
    bank.txn(c, daysAgo: 3, amount: -5, type: .fee, channel: nil)
    let parts = Profitability.parts(bank.table(), 0, ProfitParameters())
    #expect(parts.netInterestIncome == nil && parts.expectedLoss == nil)
    #expect(parts.feeIncome == 50_000)
}

@Test func lifecycleStages() {
    let p = TierParameters()
    #expect(Tiering.lifecycle(flags: [.dormant, .activityDrop], tenureDays: 5000, r: 5, f: 5, p: p) == .dormant)
    #expect(Tiering.lifecycle(flags: [.balanceDrop], tenureDays: 5000, r: 5, f: 5, p: p) == .declining)
    #expect(Tiering.lifecycle(flags: [], tenureDays: 179, r: 1, f: 1, p: p) == .new)
    #expect(Tiering.lifecycle(flags: [], tenureDays: 1095, r: 4, f: 4, p: p) == .loyal)
    #expect(Tiering.lifecycle(flags: [], tenureDays: 1094, r: 4, f: 4, p: p) == .mature)
    #expect(Tiering.lifecycle(flags: [], tenureDays: 400, r: 1, f: 3, p: p) == .growing)
}

/// The outputs write a customer's flags from a table made once; every combination must read
/// as the codes joined in their fixed order.
@Test func joinedFlagCodesInTheirFixedOrder() {
    #expect(ChurnFlags().joinedCodes == "")
    #expect(([.lowPAlive, .dormant] as ChurnFlags).joinedCodes == "DORMANT|LOW_P_ALIVE")
    for raw in 0..<64 {
        let flags = ChurnFlags(rawValue: UInt8(raw))
        #expect(flags.joinedCodes == flags.codes.joined(separator: "|"))
    }
}
