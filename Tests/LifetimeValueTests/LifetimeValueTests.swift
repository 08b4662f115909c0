import Foundation
import Testing
@testable import LifetimeValue

@Suite struct LifetimeValueTests {
    let gg = GammaGammaParameters(p: 6.2488, q: 3.7446, gamma: 15.4477)

    @Test func timeUnits() {
        #expect(abs(TimeUnit.weeks.unitsPerMonth - 4.348214285714286) < 1e-12)
        #expect(TimeUnit.days.unitsPerMonth == 30.4375)
        #expect(abs(CLVSettings().monthlyDiscountRate - 0.007974140428903741) < 1e-15)
    }

    @Test func discountedSumMatchesReference() {
        // Reference: Σ_k (E[Y(kΔ)] − E[Y((k−1)Δ)]) / (1+d)^k with scipy's hyp2f1.
        let model = LifetimeValueModel(bgnbd: cdnowParameters, gammaGamma: gg)
        let s = PurchaseSummary(x: 2, tx: 30.43, T: 38.86)
        let score = model.score(s, meanValue: 22.35, valuePerTransaction: -3)
        #expect(abs(score.discountedTransactions - 3.148383863504887) < 1e-9)
        #expect(abs(score.expectedTransactions - 3.560050126570218) < 1e-9)
        let ev = gg.conditionalExpectedAverageValue(x: 2, meanValue: 22.35)!
        #expect(abs(score.clvSpend! - ev * 3.148383863504887) < 1e-8)
        #expect(abs(score.clv - (-3) * 3.148383863504887) < 1e-8)   // negative value per transaction allowed
        #expect(model.clvSpend(s, meanValue: 22.35) == score.clvSpend)
        #expect(model.clv(s, valuePerTransaction: -3) == score.clv)
    }

    @Test func expectedValueUndefinedWhenQAtMostOne() {
        let bad = GammaGammaParameters(p: 2, q: 0.8, gamma: 10)
        #expect(bad.conditionalExpectedAverageValue(x: 3, meanValue: 20) == nil)
        let model = LifetimeValueModel(bgnbd: cdnowParameters, gammaGamma: bad)
        #expect(model.score(PurchaseSummary(x: 3, tx: 20, T: 30), meanValue: 20, valuePerTransaction: 1).clvSpend == nil)
        let batch = model.scoreBatch(x: [3], tx: [20], T: [30], meanValue: [20], valuePerTransaction: [1])
        #expect(!batch.spendDefined && batch.clvSpend[0].isNaN)
        // lifetimes' formula: population mean 6.2488·15.4477/2.7446, weight px/(px+q−1).
        let ev = gg.conditionalExpectedAverageValue(x: 2, meanValue: 22.35)!
        let w = 6.2488 * 2 / (6.2488 * 2 + 2.7446)
        #expect(abs(ev - ((1 - w) * 6.2488 * 15.4477 / 2.7446 + w * 22.35)) < 1e-12)
        #expect(gg.conditionalExpectedAverageValue(x: 0, meanValue: 0) == gg.populationMeanValue)
    }

    @Test func batchMatchesSingleScores() {
        let sim = CustomerSimulator(bgnbd: cdnowParameters, gammaGamma: gg)
        let (s, m) = sim.simulate(count: 20000, seed: 5)
        let model = LifetimeValueModel(bgnbd: cdnowParameters, gammaGamma: gg)
        let v = s.indices.map { Double($0 % 7) - 2 }
        let batch = model.scoreBatch(x: s.map(\.x), tx: s.map(\.tx), T: s.map(\.T), meanValue: m,
                                     valuePerTransaction: v, threads: 2)
        let batch1 = model.scoreBatch(x: s.map(\.x), tx: s.map(\.tx), T: s.map(\.T), meanValue: m,
                                      valuePerTransaction: v, threads: 1)
        #expect(batch.clv == batch1.clv && batch.clvSpend == batch1.clvSpend)
        for i in stride(from: 0, to: s.count, by: 97) {
            let one = model.score(s[i], meanValue: m[i], valuePerTransaction: v[i])
            #expect(one.pAlive == batch.pAlive[i] && one.expectedTransactions == batch.expectedTransactions[i])
            #expect(one.clv == batch.clv[i] && one.clvSpend == batch.clvSpend[i])
            #expect(batch.clvSpend[i] >= 0 && batch.expectedTransactions[i] >= 0)
            #expect(abs(one.expectedTransactions - cdnowParameters.expectedTransactions(in: model.settings.horizon, s[i]))
                    <= 1e-9 * max(1, one.expectedTransactions))
        }
    }

    @Test func daysAndWeeksAgree() {
        // Same customer in days (α scales by 7) gives the same CLV.
        let weeks = LifetimeValueModel(bgnbd: cdnowParameters, gammaGamma: gg)
        let dp = BGNBDParameters(r: 0.2426, alpha: 4.4135 * 7, a: 0.7929, b: 2.4258)
        let days = LifetimeValueModel(bgnbd: dp, gammaGamma: gg, settings: CLVSettings(unit: .days))
        let a = weeks.score(PurchaseSummary(x: 4, tx: 20, T: 50), meanValue: 30, valuePerTransaction: 5)
        let b = days.score(PurchaseSummary(x: 4, tx: 140, T: 350), meanValue: 30, valuePerTransaction: 5)
        #expect(abs(a.clv - b.clv) < 1e-9 * abs(a.clv) && abs(a.pAlive - b.pAlive) < 1e-12)
    }
}
