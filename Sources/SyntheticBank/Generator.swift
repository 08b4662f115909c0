/// Generates a synthetic bank dump: customers, transactions and accounts CSV streams.
///
/// Deterministic: the same `options` give byte-identical output on every platform.
/// Streams are written in the order customers → transactions → accounts (account
/// balances are the result of replaying the transactions), each through its own sink,
/// in blocks of about 64 KiB.
///
/// Memory is O(customers): state is kept per customer/account, and transactions are
/// generated one calendar month at a time (all customers' rows for the month, sorted by
/// booking day and a seeded shuffle key, then written and dropped).
///
/// Conventions: `amount` is signed from the account holder's view (positive = money into
/// the account; on a card or loan a positive payment reduces the outstanding). `fee` is an
/// extra charge on that row, not included in `amount`; the balance moves by `amount - fee`.
/// Monthly maintenance/custody fees are separate rows with `type=fee`, negative amount and
/// `fee=0.00`. Interest credited on savings/term deposits is `type=interest` with a positive
/// amount; interest charged on loans and revolving card balances is `type=interest` with a
/// negative amount. No rows at all are booked for a customer outside its activity window
/// (before onboarding, after lapsing, or ever for never-transacting customers).
@discardableResult
public func generate<T: ByteSink, A: ByteSink, C: ByteSink>(
    _ options: GeneratorOptions,
    transactions: inout T,
    accounts: inout A,
    customers: inout C
) throws -> GeneratorStats {
    guard options.customers >= 0 else { throw GeneratorError.invalidOptions("customers must be >= 0") }
    guard options.months >= 1 && options.months <= 1200 else { throw GeneratorError.invalidOptions("months must be in 1...1200") }
    guard options.asOf.isValid, options.asOf.year >= 1900, options.asOf.year <= 9999 else {
        throw GeneratorError.invalidOptions("asOf must be a valid date in 1900...9999")
    }
    guard options.badRows >= 0 else { throw GeneratorError.invalidOptions("badRows must be >= 0") }
    guard options.activityScale >= 0 && options.activityScale.isFinite else {
        throw GeneratorError.invalidOptions("activityScale must be >= 0")
    }
    var engine = Engine(options)
    try engine.writeCustomers(&customers)
    try engine.writeTransactions(&transactions)
    try engine.writeAccounts(&accounts)
    return engine.stats
}

/// Convenience: the three files as strings (small runs and tests).
public func generateCSV(_ options: GeneratorOptions) throws -> (transactions: String, accounts: String, customers: String, stats: GeneratorStats) {
    var t = ByteArraySink(), a = ByteArraySink(), c = ByteArraySink()
    let stats = try generate(options, transactions: &t, accounts: &a, customers: &c)
    return (t.text, a.text, c.text, stats)
}

struct TxnRow {
    var key: UInt64
    var amount: Int64
    var account: Int32
    var customer: Int32
    var day: Int32
    var fee: Int32
    var type: TxnType
    var channel: Channel
    var currency: Currency
}

enum EventKind: UInt8 {
    case discretionary, salary, rent, checkingFee, depositInterest, custodyFee, cardInterest,
         cardPayment, loanPayment, openDeposit, close, balanceDrop
}

struct Event {
    var key: UInt64
    var day: Int32
    var kind: EventKind
    var account: Int32
}

struct Engine {
    let options: GeneratorOptions
    let first: Int32
    let last: Int32
    var cs: [CustomerPlan] = []
    var acs: [AccountPlan] = []
    var stats = GeneratorStats()
    var expectedRows = 0.0

    var events: [Event] = []
    var rows: [TxnRow] = []
    var keys: [UInt64] = []

    init(_ options: GeneratorOptions) {
        self.options = options
        first = Int32(options.firstDay)
        last = Int32(options.lastDay)
        let planner = Planner(options)
        expectedRows = planner.plan(customers: &cs, accounts: &acs)
        stats.customers = cs.count
        stats.accounts = acs.count
        stats.firstDay = CivilDate(daysSinceEpoch: Int(first))
        stats.lastDay = options.asOf
        for c in cs {
            let f = c.flags
            if f.contains(.never) { stats.neverTransacting += 1 }
            if f.contains(.lapsed) { stats.lapsed += 1 }
            if f.contains(.lapsedDormant) { stats.lapsedDormant += 1 }
            if f.contains(.new) { stats.newCustomers += 1 }
            if f.contains(.newRecent) { stats.newRecent += 1 }
            if f.contains(.salaried) { stats.salaried += 1 }
            if f.contains(.salaryStopped) { stats.salaryStopped += 1 }
            if f.contains(.activityDrop) { stats.activityDrop += 1 }
            if f.contains(.balanceDrop) { stats.balanceDrop += 1 }
            if f.contains(.heavy) { stats.heavyBusiness += 1 }
            if f.contains(.largeInvestment) { stats.largeInvestment += 1 }
            switch c.segment {
            case .retail: stats.segmentRetail += 1
            case .sme: stats.segmentSME += 1
            case .privateBanking: stats.segmentPrivate += 1
            }
        }
        for a in acs where a.closed != noDay {
            stats.closedAccounts += 1
            if a.closed > last - 90 { stats.closedLast90Days += 1 }
        }
    }

    // MARK: customers

    mutating func writeCustomers<S: ByteSink>(_ sink: inout S) throws {
        var buf = RowBuffer()
        buf.ascii(Array(CSVHeader.customers.utf8)); buf.byte(10)
        for (i, c) in cs.enumerated() {
            buf.byte(67); buf.padded(i + 1, width: 8); buf.byte(44)
            buf.date(Int(c.onboard)); buf.byte(44)
            buf.ascii(Names.segment[Int(c.segment.rawValue)]); buf.byte(44)
            buf.int(Int(c.risk)); buf.byte(44)
            buf.ascii("BR"); buf.padded(Int(c.branch) + 1, width: 3); buf.byte(44)
            buf.byte(77); buf.padded(Int(c.manager) + 1, width: 4); buf.byte(10)
            if buf.needsFlush { stats.bytesCustomers += buf.bytes.count; try buf.flush(into: &sink) }
        }
        stats.bytesCustomers += buf.bytes.count
        try buf.flush(into: &sink)
    }

    // MARK: accounts

    mutating func writeAccounts<S: ByteSink>(_ sink: inout S) throws {
        var buf = RowBuffer()
        buf.ascii(Array(CSVHeader.accounts.utf8)); buf.byte(10)
        for (i, var a) in acs.enumerated() {
            if a.closed == noDay { a.balance += a.pendingInitial } else { a.balance = 0 }
            buf.byte(65); buf.padded(i + 1, width: 9); buf.byte(44)
            buf.byte(67); buf.padded(Int(a.customer) + 1, width: 8); buf.byte(44)
            buf.ascii(Names.product[Int(a.product.rawValue)]); buf.byte(44)
            buf.date(Int(a.opened)); buf.byte(44)
            if a.closed != noDay { buf.date(Int(a.closed)) }
            buf.byte(44)
            buf.cents(a.balance); buf.byte(44)
            buf.ascii(Names.currency[Int(a.currency.rawValue)]); buf.byte(44)
            buf.rate(Int(a.rate)); buf.byte(44)
            if a.product == .creditCard { buf.cents(a.limit) }
            buf.byte(10)
            if buf.needsFlush { stats.bytesAccounts += buf.bytes.count; try buf.flush(into: &sink) }
        }
        stats.bytesAccounts += buf.bytes.count
        try buf.flush(into: &sink)
    }

    // MARK: transactions

    mutating func writeTransactions<S: ByteSink>(_ sink: inout S) throws {
        var w = TxnWriter(badRows: options.badRows, expected: expectedRows, accountCount: acs.count)
        w.buf.ascii(Array(CSVHeader.transactions.utf8)); w.buf.byte(10)

        let firstDate = CivilDate(daysSinceEpoch: Int(first))
        var month = CivilDate(year: firstDate.year, month: firstDate.month, day: 1)
        var monthIndex = 0
        while Int32(month.daysSinceEpoch) <= last {
            let mStart = Int32(month.daysSinceEpoch)
            let mLast = mStart + Int32(CivilDate.daysInMonth(year: month.year, month: month.month)) - 1
            rows.removeAll(keepingCapacity: true)
            for ci in 0..<cs.count {
                simulate(customer: ci, monthStart: mStart, monthLast: mLast, monthIndex: monthIndex)
            }
            // Keys are unique (low 32 bits = index into rows), so sorting the keys alone
            // gives a total, algorithm-independent order and avoids moving whole rows.
            keys.removeAll(keepingCapacity: true)
            for r in rows { keys.append(r.key) }
            keys.sort()
            for k in keys {
                try w.write(rows[Int(k & 0xFFFF_FFFF)], sink: &sink)
            }
            month = month.adding(months: 1)
            monthIndex += 1
        }
        try w.finish(sink: &sink)
        stats.transactions = w.validRows
        stats.badRows = w.badWritten
        stats.bytesTransactions = w.bytesWritten
        rows = []
        keys = []
        events = []
    }

    /// One customer's rows for one calendar month, appended to `rows`.
    mutating func simulate(customer ci: Int, monthStart: Int32, monthLast: Int32, monthIndex: Int) {
        let c = cs[ci]
        let lo = max(max(monthStart, first), c.actStart)
        let hi = min(min(monthLast, last), c.actEnd)
        if lo > hi { return }
        var rng = Xoshiro256(seed: options.seed, stream: UInt64(ci) << 16 | UInt64(monthIndex))
        events.removeAll(keepingCapacity: true)

        // Discretionary activity, Poisson per day-range; reduced after dropDay.
        if c.dropDay <= lo {
            addPoisson(&rng, lo, hi, c.ratePerDay * c.dropFactor)
        } else if c.dropDay <= hi {
            addPoisson(&rng, lo, c.dropDay - 1, c.ratePerDay)
            addPoisson(&rng, c.dropDay, hi, c.ratePerDay * c.dropFactor)
        } else {
            addPoisson(&rng, lo, hi, c.ratePerDay)
        }

        if c.salaryCents > 0 {
            let payday = monthStart + 24
            if payday >= lo && payday <= hi && payday <= c.lastSalaryDay && acs[Int(c.checking)].isOpen(on: payday) {
                addEvent(payday, phase: 1, .salary, c.checking)
            }
            if monthStart >= lo && monthStart <= hi { addEvent(monthStart, phase: 3, .rent, c.checking) }
        }

        for ai in c.firstAccount..<(c.firstAccount + c.accountCount) {
            let a = acs[Int(ai)]
            if a.pendingInitial > 0 && a.opened >= lo && a.opened <= hi { addEvent(a.opened, phase: 0, .openDeposit, ai) }
            if a.closed >= lo && a.closed <= hi && a.closed >= first { addEvent(a.closed, phase: 7, .close, ai) }
            if a.dropDay >= lo && a.dropDay <= hi && a.isOpen(on: a.dropDay) { addEvent(a.dropDay, phase: 4, .balanceDrop, ai) }
            let monthEndOK = monthLast <= hi && a.isOpen(on: monthLast)
            switch a.product {
            case .checking:
                if monthEndOK && c.feeCents > 0 { addEvent(monthLast, phase: 6, .checkingFee, ai) }
            case .savings, .termDeposit:
                if monthEndOK { addEvent(monthLast, phase: 6, .depositInterest, ai) }
            case .investment:
                if monthEndOK { addEvent(monthLast, phase: 6, .custodyFee, ai) }
            case .creditCard:
                let d = monthStart + 19
                if d >= lo && d <= hi && a.isOpen(on: d) { addEvent(d, phase: 3, .cardPayment, ai) }
                if monthEndOK && !c.flags.contains(.payInFull) { addEvent(monthLast, phase: 6, .cardInterest, ai) }
            case .personalLoan, .mortgage:
                let d = monthStart + a.paymentDay - 1
                if d >= lo && d <= hi && d > a.opened && a.isOpen(on: d) { addEvent(d, phase: 3, .loanPayment, ai) }
            }
        }
        if events.isEmpty { return }
        if events.count > 1 { events.sort { $0.key < $1.key } }
        for e in events { process(e, customer: ci, rng: &rng) }
    }

    @inline(__always)
    mutating func addEvent(_ day: Int32, phase: UInt64, _ kind: EventKind, _ account: Int32) {
        let key = UInt64(day - first) << 40 | phase << 32 | UInt64(events.count)
        events.append(Event(key: key, day: day, kind: kind, account: account))
    }

    mutating func addPoisson(_ rng: inout Xoshiro256, _ a: Int32, _ b: Int32, _ ratePerDay: Double) {
        if b < a { return }
        let span = Int(b - a + 1)
        let n = rng.poisson(ratePerDay * Double(span))
        for _ in 0..<n { addEvent(a + Int32(rng.int(span)), phase: 2, .discretionary, -1) }
    }

    @inline(__always)
    mutating func emit(_ rng: inout Xoshiro256, customer: Int, account: Int32, day: Int32, amount: Int64,
                       fee: Int64 = 0, _ type: TxnType, _ channel: Channel) {
        let seq = UInt64(truncatingIfNeeded: rows.count) & 0xFFFF_FFFF
        let key = UInt64(day - first) << 48 | (rng.next() >> 48) << 32 | seq
        rows.append(TxnRow(key: key, amount: amount, account: account, customer: Int32(customer),
                           day: day, fee: Int32(fee), type: type, channel: channel,
                           currency: acs[Int(account)].currency))
        let delta = amount - fee
        if acs[Int(account)].product.isLiability { acs[Int(account)].balance -= delta } else { acs[Int(account)].balance += delta }
    }

    mutating func process(_ e: Event, customer ci: Int, rng: inout Xoshiro256) {
        let c = cs[ci]
        let day = e.day
        let ai = e.account
        switch e.kind {
        case .discretionary:
            discretionary(day: day, customer: ci, rng: &rng)
        case .salary:
            emit(&rng, customer: ci, account: ai, day: day, amount: c.salaryCents, .salary, .other)
        case .rent:
            let chk = acs[Int(ai)]
            if chk.balance - c.rentCents >= -c.overdraftCents {
                emit(&rng, customer: ci, account: ai, day: day, amount: -c.rentCents, .payment, .other)
            }
        case .checkingFee:
            emit(&rng, customer: ci, account: ai, day: day, amount: -c.feeCents, .fee, .other)
        case .depositInterest:
            let a = acs[Int(ai)]
            let interest = Int64((Double(a.balance) * Double(a.rate) / 120_000).rounded())
            if interest > 0 { emit(&rng, customer: ci, account: ai, day: day, amount: interest, .interest, .other) }
        case .custodyFee:
            let a = acs[Int(ai)]
            let fee = Int64((Double(a.balance) * 0.0008).rounded())
            if fee > 0 { emit(&rng, customer: ci, account: ai, day: day, amount: -fee, .fee, .other) }
        case .cardInterest:
            let a = acs[Int(ai)]
            let interest = Int64((Double(a.balance) * Double(a.rate) / 120_000).rounded())
            if interest > 0 { emit(&rng, customer: ci, account: ai, day: day, amount: -interest, .interest, .other) }
        case .cardPayment:
            let out = acs[Int(ai)].balance
            if out > 0 {
                var pay = out
                if !c.flags.contains(.payInFull) {
                    pay = min(out, max(2_500, toCents(Double(out) / 100 * rng.uniform(0.05, 0.4))))
                }
                let ch: Channel = rng.bernoulli(0.6) ? .online : .mobile
                emit(&rng, customer: ci, account: ai, day: day, amount: pay, .payment, ch)
            }
        case .loanPayment:
            let a = acs[Int(ai)]
            if a.balance > 0 {
                let interest = Int64((Double(a.balance) * Double(a.rate) / 120_000).rounded())
                if interest > 0 { emit(&rng, customer: ci, account: ai, day: day, amount: -interest, .interest, .other) }
                let pay = min(a.installment, acs[Int(ai)].balance)
                if pay > 0 { emit(&rng, customer: ci, account: ai, day: day, amount: pay, .payment, .other) }
            }
        case .openDeposit:
            let a = acs[Int(ai)]
            let amount = a.pendingInitial
            acs[Int(ai)].pendingInitial = 0
            let alt = rng.bernoulli(0.7)
            if a.product == .checking {
                emit(&rng, customer: ci, account: ai, day: day, amount: amount, .deposit, alt ? .branch : .mobile)
            } else {
                emit(&rng, customer: ci, account: ai, day: day, amount: amount, .transfer, alt ? .online : .branch)
            }
        case .close:
            let a = acs[Int(ai)]
            if a.balance > 0 {
                if a.product.isLiability {
                    emit(&rng, customer: ci, account: ai, day: day, amount: a.balance, .payment, .online)
                } else {
                    let ch: Channel = rng.bernoulli(0.8) ? .online : .branch
                    emit(&rng, customer: ci, account: ai, day: day, amount: -a.balance, .transfer, ch)
                }
            }
        case .balanceDrop:
            let a = acs[Int(ai)]
            let amount = toCents(Double(a.balance) / 100 * a.dropFraction)
            if amount > 0 {
                if rng.bernoulli(0.3) {
                    emit(&rng, customer: ci, account: ai, day: day, amount: -amount, .withdrawal, .branch)
                } else {
                    emit(&rng, customer: ci, account: ai, day: day, amount: -amount, .transfer, .online)
                }
            }
        }
    }

    // type mixes: card, withdrawal, payment, transfer out, transfer in, deposit
    static let mixRetail: [Double] = [0.50, 0.09, 0.14, 0.10, 0.07, 0.10]
    static let mixSalaried: [Double] = [0.55, 0.10, 0.16, 0.12, 0.04, 0.03]
    static let mixSME: [Double] = [0.25, 0.05, 0.28, 0.17, 0.17, 0.08]
    static let atmAmounts: [Int64] = [20, 50, 100, 150, 200, 300, 400, 500]
    static let atmWeights: [Double] = [10, 25, 30, 8, 15, 5, 4, 3]

    mutating func discretionary(day: Int32, customer ci: Int, rng: inout Xoshiro256) {
        let c = cs[ci]
        let mix = c.segment == .sme ? Engine.mixSME : (c.salaryCents > 0 ? Engine.mixSalaried : Engine.mixRetail)
        let kind = rng.pick(mix)
        let s = c.scale
        let chk = c.checking
        switch kind {
        case 0:  // card purchase
            let amount = max(50, toCents(rng.lognormal(median: 25 * s, sigma: 0.9)))
            let u = rng.uniform()
            let channel: Channel = u < 0.7 ? .pos : (u < 0.9 ? .online : .mobile)
            let fee: Int64 = rng.bernoulli(0.02) ? max(50, (amount * 175 + 5_000) / 10_000) : 0
            if c.card >= 0 {
                let card = acs[Int(c.card)]
                if card.isOpen(on: day) && rng.bernoulli(0.6) && card.balance + amount + fee <= card.limit {
                    emit(&rng, customer: ci, account: c.card, day: day, amount: -amount, fee: fee, .card, channel)
                    return
                }
            }
            debitChecking(&rng, ci, day: day, amount: amount, fee: fee, .card, channel)
        case 1:  // withdrawal
            if rng.bernoulli(0.85) {
                let amount = Engine.atmAmounts[rng.pick(Engine.atmWeights)] * 100
                let fee: Int64 = rng.bernoulli(0.1) ? 250 : 0
                debitChecking(&rng, ci, day: day, amount: amount, fee: fee, .withdrawal, .atm)
            } else {
                let amount = wholeCents(rng.lognormal(median: 800 * s, sigma: 0.7), step: 50)
                let fee: Int64 = rng.bernoulli(0.2) ? 100 : 0
                debitChecking(&rng, ci, day: day, amount: max(5_000, amount), fee: fee, .withdrawal, .branch)
            }
        case 2:  // bill payment
            let amount = max(100, toCents(rng.lognormal(median: 80 * s, sigma: 0.8)))
            let u = rng.uniform()
            let channel: Channel = u < 0.45 ? .online : (u < 0.8 ? .mobile : .other)
            debitChecking(&rng, ci, day: day, amount: amount, fee: 0, .payment, channel)
        case 3:  // transfer out
            let amount = max(500, toCents(rng.lognormal(median: 150 * s, sigma: 1.0)))
            let u = rng.uniform()
            let channel: Channel = u < 0.5 ? .online : (u < 0.95 ? .mobile : .branch)
            let fee: Int64 = channel == .branch ? 150 : 0
            if c.savings >= 0 {
                let sav = acs[Int(c.savings)]
                if sav.isOpen(on: day) && rng.bernoulli(0.15) && sav.balance >= amount + fee {
                    emit(&rng, customer: ci, account: c.savings, day: day, amount: -amount, fee: fee, .transfer, channel)
                    return
                }
            }
            debitChecking(&rng, ci, day: day, amount: amount, fee: fee, .transfer, channel)
        case 4:  // transfer in
            let amount = max(500, toCents(rng.lognormal(median: 250 * s, sigma: 1.0)))
            let channel: Channel = rng.bernoulli(0.5) ? .online : .mobile
            var target = chk
            if c.savings >= 0 && acs[Int(c.savings)].isOpen(on: day) && rng.bernoulli(0.2) { target = c.savings }
            emit(&rng, customer: ci, account: target, day: day, amount: amount, .transfer, channel)
        default:  // deposit
            let u = rng.uniform()
            let channel: Channel = u < 0.4 ? .branch : (u < 0.8 ? .atm : .mobile)
            let raw = rng.lognormal(median: 300 * s, sigma: 0.9)
            let amount = channel == .mobile ? max(500, toCents(raw)) : max(1_000, wholeCents(raw, step: 10))
            emit(&rng, customer: ci, account: chk, day: day, amount: amount, .deposit, channel)
        }
    }

    /// Debit the checking account; if it would exceed the overdraft, book an inflow instead
    /// (the customer tops the account up), keeping balances plausible.
    @inline(__always)
    mutating func debitChecking(_ rng: inout Xoshiro256, _ ci: Int, day: Int32, amount: Int64, fee: Int64,
                                _ type: TxnType, _ channel: Channel) {
        let c = cs[ci]
        let chk = c.checking
        if acs[Int(chk)].balance - amount - fee >= -c.overdraftCents {
            emit(&rng, customer: ci, account: chk, day: day, amount: -amount, fee: fee, type, channel)
        } else {
            let topUp = amount + toCents(rng.lognormal(median: 400 * c.scale, sigma: 0.7))
            let viaTransfer = rng.bernoulli(0.6)
            let alt = rng.bernoulli(0.5)
            if viaTransfer {
                emit(&rng, customer: ci, account: chk, day: day, amount: topUp, .transfer, alt ? .online : .mobile)
            } else {
                emit(&rng, customer: ci, account: chk, day: day, amount: (topUp + 999) / 1_000 * 1_000, .deposit, alt ? .branch : .atm)
            }
        }
    }
}
