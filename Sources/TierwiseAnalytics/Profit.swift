/// A customer's yearly profit and its parts, in `Money.scale` units. Parts that cannot be
/// known (no accounts dump: no balances) are nil, never zero.
public struct ProfitParts: Sendable, Equatable {
    public var netInterestIncome: Int64?
    public var feeIncome: Int64
    public var expectedLoss: Int64?
    public var costToServe: Int64
    public var profit: Int64
}

public struct ProfitTable: Sendable, Equatable {
    public init(netInterestIncome: [Int64], feeIncome: [Int64], expectedLoss: [Int64], costToServe: [Int64], profit: [Int64], hasBalances: Bool) {
        self.netInterestIncome = netInterestIncome
        self.feeIncome = feeIncome
        self.expectedLoss = expectedLoss
        self.costToServe = costToServe
        self.profit = profit
        self.hasBalances = hasBalances
    }

    public var netInterestIncome: [Int64]
    public var feeIncome: [Int64]
    public var expectedLoss: [Int64]
    public var costToServe: [Int64]
    public var profit: [Int64]
    /// False when there was no accounts dump: NII and expected loss are unknown.
    public var hasBalances: Bool

    public func parts(_ i: Int) -> ProfitParts {
        ProfitParts(netInterestIncome: hasBalances ? netInterestIncome[i] : nil, feeIncome: feeIncome[i],
                    expectedLoss: hasBalances ? expectedLoss[i] : nil, costToServe: costToServe[i], profit: profit[i])
    }
}

public enum Profitability {
    /// The parameters as arrays indexed by product and channel, looked up once per table
    /// instead of by name for every customer.
    public struct Rates: Sendable {
        var ftp: [Double] = []
        var lgd: [Double] = []
        var accountCost: [Double] = []
        var channelCost: [Double] = []
        var pd: [Double]
        var pdUnrated: Double

        public init(_ p: ProfitParameters) {
            for product in Product.allCases {
                ftp.append(p.ftpRates[product.name] ?? 0)
                lgd.append(p.lgd[product.name] ?? 0)
                accountCost.append(p.accountCost[product.name] ?? 0)
            }
            channelCost = Channel.allCases.map { p.channelCost[$0.name] ?? 0 } + [p.unknownChannelCost]
            pd = p.pdByRisk
            pdUnrated = p.pdUnrated
        }
    }

    /// One customer's parts. Annual figures are scaled to a year (×365/W).
    ///
    /// - NII: per product, deposits earn (FTP − rate) and lending (rate − FTP) on the daily
    ///   balances of the window: Σ_d balance(d) × spread / 365.
    /// - Expected loss: lending balance at the as-of date × PD(risk rating) × LGD(product).
    /// - Fee income: the fee column plus |amount| of fee rows in the window.
    /// - Cost to serve: a cost per customer-initiated transaction by channel, plus a yearly
    ///   maintenance cost per account open at the as-of date.
    public static func parts(_ t: FeatureTable, _ i: Int, _ p: ProfitParameters) -> ProfitParts {
        parts(t, i, Rates(p))
    }

    public static func parts(_ t: FeatureTable, _ i: Int, _ rates: Rates) -> ProfitParts {
        let annual = t.window.annualFactor
        var nii = 0.0, loss = 0.0, cost = 0.0
        let pd = t.riskRating[i] >= 1 ? rates.pd[Int(t.riskRating[i]) - 1] : rates.pdUnrated
        for product in Product.allCases {
            let k = Int(product.rawValue)
            let days = t.holdings.balanceDays(product, i), daysRate = t.holdings.balanceDaysRate(product, i)
            if product.isDeposit {
                nii += (rates.ftp[k] * days - daysRate) / 365 * annual
            } else if product.isLending {
                nii += (daysRate - rates.ftp[k] * days) / 365 * annual
                loss += Money.toDouble(t.holdings.balance(product, i)) * pd * rates.lgd[k]
            }
            cost += Double(t.holdings.openAccounts(product, i)) * rates.accountCost[k]
        }
        var channelCost = 0.0
        for c in 0..<rates.channelCost.count { channelCost += Double(t.channelCounts[c][i]) * rates.channelCost[c] }
        cost += channelCost * annual
        let fees = Money.toDouble(t.fees[i]) * annual
        let niiUnits = units(nii), lossUnits = units(loss), feeUnits = units(fees), costUnits = units(cost)
        if !t.hasAccounts {
            return ProfitParts(netInterestIncome: nil, feeIncome: feeUnits, expectedLoss: nil, costToServe: costUnits, profit: feeUnits - costUnits)
        }
        return ProfitParts(netInterestIncome: niiUnits, feeIncome: feeUnits, expectedLoss: lossUnits, costToServe: costUnits,
                           profit: niiUnits + feeUnits - lossUnits - costUnits)
    }

    /// Money units rounded to whole cents, so reported parts add up to the reported profit;
    /// clamped to ±`Money.maxDerived`, so the four parts add up without overflow.
    @inline(__always)
    static func units(_ value: Double) -> Int64 { Money.derived(steps: value * 100, step: Money.scale / 100) }

    public static func table(_ t: FeatureTable, _ p: ProfitParameters, threads: Int) -> ProfitTable {
        let rates = Rates(p)
        let parts = parallelMap(t.count, threads: threads, initial: ProfitParts(netInterestIncome: nil, feeIncome: 0, expectedLoss: nil, costToServe: 0, profit: 0)) {
            Profitability.parts(t, $0, rates)
        }
        return ProfitTable(netInterestIncome: parts.map { $0.netInterestIncome ?? 0 }, feeIncome: parts.map(\.feeIncome),
                           expectedLoss: parts.map { $0.expectedLoss ?? 0 }, costToServe: parts.map(\.costToServe),
                           profit: parts.map(\.profit), hasBalances: t.hasAccounts)
    }
}
