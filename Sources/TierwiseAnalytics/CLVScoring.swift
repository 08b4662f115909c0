import LifetimeValue

/// The lifetime-value stage's computation: the purchase summary of every customer, the
/// BG/NBD and Gamma-Gamma fits, and the per-customer figures.
public struct CLVOutcome: Sendable {
    public init(table: CLVTable, bgnbd: BGNBDFit, gammaGamma: GammaGammaFit?, timeUnit: TimeUnit) {
        self.table = table
        self.bgnbd = bgnbd
        self.gammaGamma = gammaGamma
        self.timeUnit = timeUnit
    }

    public var table: CLVTable
    public var bgnbd: BGNBDFit
    public var gammaGamma: GammaGammaFit?
    public var timeUnit: TimeUnit
}

public enum CLVScoring {
    /// Summary in model time units: x = purchase days − 1, t_x = last − first day,
    /// T = as-of − first day; nil for customers with no customer-initiated purchase.
    public static func summary(_ t: FeatureTable, _ i: Int, unit: TimeUnit) -> PurchaseSummary? {
        guard t.firstPurchaseAgeDays[i] >= 0 else { return nil }
        return PurchaseSummary(x: Double(t.repeatDays[i]), tx: Double(t.lastPurchaseAgeDays[i]) / unit.days,
                               T: Double(t.firstPurchaseAgeDays[i]) / unit.days)
    }

    /// Mean value of the repeat days in currency units; nil without repeats.
    public static func meanRepeatValue(_ t: FeatureTable, _ i: Int) -> Double? {
        t.repeatDays[i] > 0 ? Money.toDouble(t.repeatValue[i]) / Double(t.repeatDays[i]) : nil
    }

    /// The members' summaries grouped as `WeightedSummaries.group` groups them: the same
    /// groups in the same order, with the same weights. The summaries come from whole days,
    /// and days divided by the unit keep their order and stay distinct, so the groups are
    /// those of the (x, t_x, T) days packed into one integer, sorted with `RadixOrder`. On
    /// L's 500,000 customers the general grouping (a hash table that grew to millions of
    /// slots, then a merge sort through a closure) took 0.3 s on one core while the other
    /// had nothing to do. Days that do not fit the packing take the general way.
    static func grouped(_ t: FeatureTable, members: [Int], summaries: [PurchaseSummary]) -> WeightedSummaries {
        var keys = [UInt64](repeating: 0, count: members.count)
        var fits = true
        for (k, i) in members.enumerated() {
            let x = UInt64(truncatingIfNeeded: Int64(t.repeatDays[i]))
            let tx = UInt64(truncatingIfNeeded: Int64(t.lastPurchaseAgeDays[i]))
            let T = UInt64(truncatingIfNeeded: Int64(t.firstPurchaseAgeDays[i]))
            fits = fits && x < 1 << 21 && tx < 1 << 21 && T < 1 << 22
            keys[k] = x << 43 | tx << 22 | T
        }
        guard fits else { return WeightedSummaries.group(summaries) }
        let (order, sorted) = RadixOrder.ascending(keys)
        var groups: [PurchaseSummary] = [], weights: [Double] = []
        var k = 0
        while k < sorted.count {
            var end = k + 1
            while end < sorted.count && sorted[end] == sorted[k] { end += 1 }
            groups.append(summaries[Int(order[k])])
            weights.append(Double(end - k))
            k = end
        }
        return WeightedSummaries(summaries: groups, weights: weights)
    }

    public static func compute(_ t: FeatureTable, _ p: CLVParameters, threads: Int) -> CLVOutcome {
        let unit = p.timeUnit
        var members: [Int] = []
        var summaries: [PurchaseSummary] = []
        for i in 0..<t.count {
            if let s = summary(t, i, unit: unit) { members.append(i); summaries.append(s) }
        }
        let fit = BGNBDFit.fit(grouped(t, members: members, summaries: summaries), threads: threads)
        guard let params = fit.parameters else {
            let reason = "the BG/NBD model could not be fitted: \(fit.reason ?? "it did not converge")"
            return CLVOutcome(table: CLVTable(pAlive: nil, expectedTransactions: nil, clvSpend: nil, discountedTransactions: nil,
                                              unavailableReason: reason, spendUnavailableReason: reason),
                              bgnbd: fit, gammaGamma: nil, timeUnit: unit)
        }
        let xs = summaries.map(\.x)
        let means = members.map { meanRepeatValue(t, $0) ?? 0 }
        let gg = GammaGammaFit.fit(frequency: xs, meanValue: means, group: false, threads: threads)
        var spendReason: String? = nil
        var ggParams: GammaGammaParameters? = nil
        if let g = gg.parameters, gg.expectedSpendDefined {
            ggParams = g
        } else {
            spendReason = gg.parameters == nil ? "the Gamma-Gamma model could not be fitted: \(gg.reason ?? "it did not converge")"
                : (gg.expectedSpendReason ?? "the Gamma-Gamma q is 1 or less, so the expected spend is undefined")
        }
        let model = LifetimeValueModel(bgnbd: params, gammaGamma: ggParams,
                                       settings: CLVSettings(horizonMonths: p.horizonMonths, annualDiscountRate: p.annualDiscountRate, unit: unit))
        let scores = model.scoreBatch(x: xs, tx: summaries.map(\.tx), T: summaries.map(\.T), meanValue: means,
                                      valuePerTransaction: [Double](repeating: 1, count: xs.count), threads: threads)
        let horizon = Double(p.expectedDays) / unit.days
        let expected = parallelMap(summaries.count, threads: threads, initial: 0.0) { params.expectedTransactions(in: horizon, summaries[$0]) }
        var pAlive = [Double](repeating: .nan, count: t.count), exp12 = pAlive, spend = pAlive, discounted = pAlive
        for (k, i) in members.enumerated() {
            pAlive[i] = scores.pAlive[k]
            exp12[i] = expected[k]
            discounted[i] = scores.clv[k]
            spend[i] = scores.clvSpend[k]
        }
        let table = CLVTable(pAlive: pAlive, expectedTransactions: exp12, clvSpend: ggParams == nil ? nil : spend,
                             discountedTransactions: discounted, unavailableReason: nil, spendUnavailableReason: spendReason)
        return CLVOutcome(table: table, bgnbd: fit, gammaGamma: gg, timeUnit: unit)
    }
}
