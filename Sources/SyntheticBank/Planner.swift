// Customer and account planning (everything decided before the first transaction).

struct Planner {
    let options: GeneratorOptions
    let first: Int32
    let last: Int32
    let branches: Int
    let managers: Int

    init(_ options: GeneratorOptions) {
        self.options = options
        first = Int32(options.firstDay)
        last = Int32(options.lastDay)
        let n = options.customers
        branches = max(3, min(999, n / 2500))
        managers = max(3, (n + 1999) / 2000)
    }

    @inline(__always) func day(_ rng: inout Xoshiro256, _ lo: Int32, _ hi: Int32) -> Int32 {
        Int32(rng.int(Int(lo), Int(max(lo, hi))))
    }

    /// Plans all customers and accounts. Returns the expected number of valid rows.
    func plan(customers cs: inout [CustomerPlan], accounts acs: inout [AccountPlan]) -> Double {
        let mix = options.mix
        let n = options.customers
        cs.reserveCapacity(n)
        acs.reserveCapacity(n * 5 / 2)
        var expected = 0.0
        let activeShare = max(0.01, 1 - mix.never - mix.lapsed)
        for i in 0..<n {
            var rng = Xoshiro256(seed: options.seed, stream: UInt64(i) << 16 | 0xFFFF)
            var c = CustomerPlan()
            let u = rng.uniform()
            c.segment = u < mix.privateBanking ? .privateBanking : (u < mix.privateBanking + mix.sme ? .sme : .retail)
            if c.segment == .sme && rng.bernoulli(mix.heavyBusinessOfSME) { c.flags.insert(.heavy) }
            var risk = 1 + Int(rng.gamma(shape: 2, scale: 1.1))
            if c.segment == .sme { risk += 1 }
            if c.segment == .privateBanking { risk -= 1 }
            c.risk = UInt8(min(10, max(1, risk)))
            c.branch = Int32(rng.int(branches))
            c.manager = Int32(rng.int(managers))

            let a = rng.uniform()
            let isNever = a < mix.never
            let isLapsed = !isNever && a < mix.never + mix.lapsed
            if isNever { c.flags.insert(.never) }
            if isLapsed { c.flags.insert(.lapsed) }
            let isNew = rng.bernoulli(mix.new)
            var newRecent = isNew && rng.bernoulli(mix.newRecentFraction)
            if isLapsed { newRecent = false }
            if isNew {
                c.flags.insert(.new)
                if newRecent {
                    c.flags.insert(.newRecent)
                    c.onboard = day(&rng, max(first, last - 179), last - 14)
                } else if isLapsed {
                    c.onboard = day(&rng, first, max(first, last - 240))
                } else {
                    c.onboard = day(&rng, first, max(first, last - 180))
                }
            } else {
                c.onboard = first - 1 - Int32(rng.int(0, 20 * 365))
            }

            c.actStart = max(first, c.onboard)
            c.actEnd = last
            if isNever { c.actEnd = c.actStart - 1 }
            if isLapsed {
                let dormant = rng.bernoulli(mix.lapsedDormantFraction)
                var lapse: Int32
                if !dormant && c.actStart + 30 <= last - 181 {
                    lapse = day(&rng, c.actStart + 30, last - 181)
                } else {
                    lapse = day(&rng, last - 179, last - 90)
                }
                lapse = max(lapse, c.actStart + 1)
                c.actEnd = lapse - 1
                if c.actEnd >= last - 180 && c.actEnd <= last - 91 { c.flags.insert(.lapsedDormant) }
            }

            // Activity (gamma-Poisson): expected discretionary transactions per month.
            let meanPerMonth: Double
            switch c.segment {
            case .retail: meanPerMonth = 10
            case .sme: meanPerMonth = 28
            case .privateBanking: meanPerMonth = 12
            }
            var lambda: Double
            if c.flags.contains(.heavy) {
                lambda = 400 * rng.gamma(shape: 5, scale: 0.2)
            } else {
                lambda = max(2, rng.gamma(shape: 0.8, scale: meanPerMonth / 0.8))
            }
            c.ratePerDay = lambda * options.activityScale / 30.44
            switch c.segment {
            case .retail: c.scale = rng.lognormal(median: 1, sigma: 0.4)
            case .sme: c.scale = 3 * rng.lognormal(median: 1, sigma: 0.5)
            case .privateBanking: c.scale = 6 * rng.lognormal(median: 1, sigma: 0.5)
            }

            if !isNever && !isLapsed && rng.bernoulli(mix.activityDrop / activeShare) && c.actStart < last - 150 {
                c.flags.insert(.activityDrop)
                c.dropDay = last - 89
                c.dropFactor = rng.uniform(0.2, 0.5)
            }

            if !isNever && !isLapsed && !c.flags.contains(.heavy) && rng.bernoulli(mix.salaried / activeShare) {
                c.flags.insert(.salaried)
                let mult: Double = c.segment == .privateBanking ? 3 : (c.segment == .sme ? 1.4 : 1)
                c.salaryCents = toCents(mult * rng.lognormal(median: 2600, sigma: 0.3))
                c.rentCents = wholeCents(Double(c.salaryCents) / 100 * rng.uniform(0.25, 0.45))
                if rng.bernoulli(mix.salaryStopFraction) {
                    // Candidate paydays (25th) 46...200 days before as-of, after onboarding.
                    var candidates: [Int32] = []
                    var d = CivilDate(daysSinceEpoch: Int(last - 200))
                    d.day = 25
                    for _ in 0..<9 {
                        let dn = Int32(d.daysSinceEpoch)
                        if dn >= last - 200 && dn <= last - 46 && dn >= c.actStart + 40 { candidates.append(dn) }
                        d = d.adding(months: 1)
                    }
                    if !candidates.isEmpty {
                        c.lastSalaryDay = candidates[rng.int(candidates.count)]
                        c.flags.insert(.salaryStopped)
                    }
                }
            }

            switch c.segment {
            case .retail:
                c.feeCents = c.flags.contains(.salaried) || rng.bernoulli(0.3) ? 0 : 490
                c.overdraftCents = [0, 25_000, 50_000, 100_000][rng.pick([3, 3, 3, 1])]
            case .sme:
                c.feeCents = 1_200
                c.overdraftCents = 500_000
            case .privateBanking:
                c.feeCents = 0
                c.overdraftCents = 1_000_000
            }
            if rng.bernoulli(0.55) { c.flags.insert(.payInFull) }
            if c.segment == .privateBanking && rng.bernoulli(mix.largeInvestmentOfPrivate) {
                c.flags.insert(.largeInvestment)
            }

            // Accounts.
            c.firstAccount = Int32(acs.count)
            planAccounts(&c, customer: Int32(i), rng: &rng, into: &acs)
            c.accountCount = Int32(acs.count) - c.firstAccount

            if c.actEnd >= c.actStart {
                let activeDays = Double(c.actEnd - c.actStart + 1)
                expected += c.ratePerDay * activeDays + activeDays / 30.44 * (Double(c.accountCount) * 0.8 + (c.salaryCents > 0 ? 2 : 0))
            }
            cs.append(c)
        }

        // Balance drops: chosen among eligible customers so the overall share hits the target.
        var eligible: [(Int, Int32)] = []
        for i in 0..<cs.count {
            let c = cs[i]
            if c.flags.contains(.never) || c.flags.contains(.lapsed) || c.actStart > last - 120 { continue }
            var best: Int32 = -1
            var bestBalance: Int64 = 0
            for ai in c.firstAccount..<(c.firstAccount + c.accountCount) {
                let acc = acs[Int(ai)]
                guard acc.product == .savings || acc.product == .termDeposit || acc.product == .investment else { continue }
                guard acc.closed == noDay, acc.opened < last - 120 else { continue }
                let bal = acc.balance + acc.pendingInitial
                if bal > bestBalance { best = ai; bestBalance = bal }
            }
            if best >= 0 && bestBalance >= 100_000 { eligible.append((i, best)) }
        }
        if !eligible.isEmpty {
            let p = min(1, mix.balanceDrop * Double(cs.count) / Double(eligible.count))
            var rng = Xoshiro256(seed: options.seed, stream: 0xB0B0_0000_0000_0001)
            for (i, ai) in eligible where rng.bernoulli(p) {
                cs[i].flags.insert(.balanceDrop)
                acs[Int(ai)].dropDay = day(&rng, last - 85, last - 5)
                acs[Int(ai)].dropFraction = rng.uniform(0.6, 0.95)
            }
        }
        return expected
    }

    private static let extraWeights: [[Double]] = [
        [0.38, 0.34, 0.19, 0.09],  // retail
        [0.25, 0.40, 0.25, 0.10],  // sme
        [0.00, 0.35, 0.40, 0.25],  // private
    ]
    // savings, term_deposit, credit_card, personal_loan, mortgage, investment
    private static let productWeights: [[Double]] = [
        [35, 10, 28, 12, 9, 6],
        [25, 15, 25, 25, 4, 6],
        [25, 25, 20, 4, 14, 30],
    ]
    private static let products: [Product] = [.savings, .termDeposit, .creditCard, .personalLoan, .mortgage, .investment]

    private func planAccounts(_ c: inout CustomerPlan, customer: Int32, rng: inout Xoshiro256, into acs: inout [AccountPlan]) {
        let seg = Int(c.segment.rawValue)
        // Checking: always, opened at onboarding, never closed.
        var chk = AccountPlan()
        chk.customer = customer
        chk.product = .checking
        chk.opened = c.onboard
        chk.rate = c.segment == .privateBanking ? 10 : 0
        let chkBalance = toCents(rng.lognormal(median: 1_200 * c.scale, sigma: 0.9))
        if c.onboard >= first { chk.pendingInitial = toCents(rng.lognormal(median: 500 * c.scale, sigma: 0.7)) }
        else { chk.balance = chkBalance }
        c.checking = Int32(acs.count)
        acs.append(chk)

        let extra = rng.pick(Planner.extraWeights[seg])
        var weights = Planner.productWeights[seg]
        var chosen: [Product] = []
        if c.segment == .privateBanking && extra > 0 {
            chosen.append(.investment)
            weights[5] = 0
        }
        while chosen.count < extra {
            let k = rng.pick(weights)
            weights[k] = 0
            chosen.append(Planner.products[k])
        }
        for p in chosen {
            var a = AccountPlan()
            a.customer = customer
            a.product = p
            a.opened = day(&rng, c.onboard, last - 7)
            if c.segment != .retail && (p == .savings || p == .termDeposit || p == .investment) && rng.bernoulli(0.12) {
                a.currency = [Currency.usd, .gbp, .chf][rng.int(3)]
            }
            var amount: Int64 = 0
            switch p {
            case .savings:
                amount = toCents(rng.lognormal(median: 4_000 * c.scale, sigma: 1.1))
                a.rate = Int32(rng.int(50, 250))
            case .termDeposit:
                amount = wholeCents(rng.lognormal(median: 25_000 * c.scale, sigma: 0.8), step: 100)
                a.rate = Int32(rng.int(200, 380))
            case .investment:
                if c.flags.contains(.largeInvestment) {
                    amount = toCents(DetMath.exp(rng.uniform(DetMath.log(1_000_000), DetMath.log(15_000_000))))
                } else {
                    amount = toCents(rng.lognormal(median: 45_000 * c.scale, sigma: 1.0))
                }
                a.rate = 0
            case .creditCard:
                let limit: Int64
                switch c.segment {
                case .retail: limit = [1_000, 2_000, 3_000, 5_000, 7_500][rng.pick([3, 4, 2, 1, 0.5])]
                case .sme: limit = [5_000, 10_000, 20_000][rng.int(3)]
                case .privateBanking: limit = [10_000, 25_000, 50_000][rng.int(3)]
                }
                a.limit = limit * 100
                a.rate = Int32(1_490 + rng.int(0, 800) + Int(c.risk) * 20)
                if a.opened < first { a.balance = toCents(Double(a.limit) / 100 * rng.uniform(0, 0.4)) }
                c.card = Int32(acs.count)
            case .personalLoan, .mortgage:
                let isMortgage = p == .mortgage
                let principal = isMortgage
                    ? min(2_500_000, max(40_000, rng.lognormal(median: 220_000 * c.scale.squareRoot(), sigma: 0.45)))
                    : min(80_000, max(2_000, rng.lognormal(median: 12_000 * c.scale.squareRoot(), sigma: 0.5)))
                let termMonths = isMortgage ? [240, 300, 360][rng.int(3)] : [36, 48, 60, 72, 84][rng.int(5)]
                var rate = isMortgage ? 180 + Int(c.risk) * 15 + rng.int(0, 150) : 590 + Int(c.risk) * 60 + rng.int(0, 200)
                if c.segment == .sme { rate += 100 }
                a.rate = Int32(rate)
                // Keep the loan inside its term at the as-of date.
                let earliest = last - Int32(Double(termMonths - 6) * 30.44)
                if a.opened < earliest { a.opened = max(a.opened, earliest) }
                a.opened = max(a.opened, c.onboard)
                let r = Double(rate) / 120_000
                let growthN = DetMath.exp(Double(termMonths) * DetMath.log(1 + r))
                a.installment = toCents(principal * r * growthN / (growthN - 1))
                a.paymentDay = Int32(min(28, CivilDate(daysSinceEpoch: Int(a.opened)).day))
                let elapsed = Double(max(first, a.opened) - a.opened) / 30.44
                let growthE = DetMath.exp(elapsed * DetMath.log(1 + r))
                a.balance = toCents(max(0, principal * (growthN - growthE) / (growthN - 1)))
            case .checking:
                break
            }
            if p == .savings || p == .termDeposit || p == .investment {
                if a.opened >= first { a.pendingInitial = amount } else { a.balance = amount }
                if p == .savings && c.savings < 0 { c.savings = Int32(acs.count) }
            }

            // Closure.
            if rng.bernoulli(options.mix.closedAccount) {
                let w = rng.uniform()
                var closed = noDay
                let recentLo = max(a.opened + 14, last - 89)
                if w < 0.45 {
                    if recentLo <= last { closed = day(&rng, recentLo, last) }
                } else if w < 0.80 {
                    let lo = max(a.opened + 30, first)
                    if lo <= last - 90 { closed = day(&rng, lo, last - 90) }
                } else {
                    if a.opened + 30 <= first - 1 { closed = day(&rng, a.opened + 30, first - 1) }
                }
                if closed == noDay && recentLo <= last { closed = day(&rng, recentLo, last) }
                if closed != noDay {
                    a.closed = closed
                    if closed < first { a.balance = 0; a.pendingInitial = 0 }
                    if c.card == Int32(acs.count) && closed < first { c.card = -1 }
                    if c.savings == Int32(acs.count) && closed < first { c.savings = -1 }
                }
            }
            acs.append(a)
        }
    }
}
