import Foundation
import Testing
@testable import LifetimeValue

let cdnowParameters = BGNBDParameters(r: 0.2426, alpha: 4.4135, a: 0.7929, b: 2.4258)

@Suite struct BGNBDTests {
    // Reference values from lifetimes' formulas evaluated with scipy's hyp2f1.
    @Test func handDerivedCustomer() {
        let s = PurchaseSummary(x: 2, tx: 30.43, T: 38.86)
        #expect(abs(cdnowParameters.expectedTransactions(in: 39, s) - 1.225911199899222) < 1e-9)
        #expect(abs(cdnowParameters.probabilityAlive(s) - 0.7266079973001562) < 1e-12)
        #expect(abs(cdnowParameters.expectedTransactionsNewCustomer(in: 39) - 1.1950518784094886) < 1e-9)
    }

    @Test func noRepeatPurchasesMeansAlive() {
        #expect(cdnowParameters.probabilityAlive(PurchaseSummary(x: 0, tx: 0, T: 30)) == 1)
    }

    @Test func heavyTransactor() {
        let s = PurchaseSummary(x: 221, tx: 103.4, T: 103.6)
        let e = cdnowParameters.expectedTransactions(in: 39, s)
        let alive = cdnowParameters.probabilityAlive(s)
        #expect(e.isFinite && alive.isFinite)
        #expect(abs(alive - 0.9946570213923257) < 1e-12)
        #expect(abs(e - 70.11903995238447) < 1e-7 * 70)
        #expect(e > 0.5 * 221 / 103.6 * 39 && e < 1.5 * 221 / 103.6 * 39)
        #expect(cdnowParameters.logLikelihood(s).isFinite)
        // Far beyond the direct series' range: still finite.
        let huge = PurchaseSummary(x: 5000, tx: 700, T: 701)
        #expect(cdnowParameters.expectedTransactions(in: 156, huge).isFinite)
        #expect(cdnowParameters.logLikelihood(huge).isFinite)
    }

    @Test func smallAPlusBWithNoRepeats() {
        let p = BGNBDParameters(r: 0.2426, alpha: 4.4135, a: 0.3, b: 0.5)
        let e = p.expectedTransactions(in: 39, PurchaseSummary(x: 0, tx: 0, T: 20))
        #expect(abs(e - 0.3056182071099785) < 1e-9)
        let e2 = p.expectedTransactionsNewCustomer(in: 156)
        #expect(abs(e2 - 3.1678198808013183) < 1e-8)
        // The 2F1 itself is negative here: c = a + b − 1 < 0.
        // The series in the Euler form is negative here: c = a + b − 1 = −0.2 (scipy: −0.6265968568666945).
        #expect(abs(Hypergeometric.series(-0.4426, -0.7, -0.2, 0.9) - (-0.6265968568666945)) < 1e-12)
    }

    @Test func hypergeometricAgainstKnownValues() {
        // 2F1(1,1;2;z) = −log(1−z)/z ; 2F1(a,b;b;z) = (1−z)^(−a)
        for z in [0.1, 0.5, 0.9, 0.99] {
            #expect(abs(Hypergeometric.f21(1, 1, 2, z) - (-log(1 - z) / z)) < 1e-12 * (-log(1 - z) / z))
            #expect(abs(Hypergeometric.f21(0.7, 2.5, 2.5, z) - pow(1 - z, -0.7)) < 1e-12 * pow(1 - z, -0.7))
        }
        let l = Hypergeometric.logF21(300, 302, 301, 0.9)   // value overflows-ish in direct form
        #expect(l.log.isFinite && l.sign == 1)
    }

    @Test func singularParametersAreRegularised() {
        let p = BGNBDParameters(r: 0.5, alpha: 3, a: 1, b: 2)
        let e = p.expectedTransactions(in: 20, PurchaseSummary(x: 1, tx: 5, T: 10))
        let near = BGNBDParameters(r: 0.5, alpha: 3, a: 1.001, b: 2).expectedTransactions(in: 20, PurchaseSummary(x: 1, tx: 5, T: 10))
        #expect(e.isFinite && abs(e - near) < 1e-3)
        let q = BGNBDParameters(r: 0.5, alpha: 3, a: 0.4, b: 0.6)
        #expect(q.expectedTransactionsNewCustomer(in: 10).isFinite)
    }

    @Test func analyticGradientMatchesFiniteDifferences() {
        let sim = CustomerSimulator(bgnbd: cdnowParameters, gammaGamma: GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44))
        let (summaries, values) = sim.simulate(count: 3000, seed: 7)
        let lik = BGNBDLikelihood(.group(summaries))
        var rng = CustomerSimulator.Generator(seed: 11)
        for _ in 0..<5 {
            let theta = (0..<4).map { _ in 3 * rng.uniform() - 1.5 }
            let (_, g) = lik.evaluate(theta, threads: 1)
            for i in 0..<4 {
                let h = 1e-5
                var up = theta, down = theta
                up[i] += h; down[i] -= h
                let fd = (lik.evaluate(up, threads: 1).value - lik.evaluate(down, threads: 1).value) / (2 * h)
                #expect(abs(fd - g[i]) < 1e-6 * max(1, abs(g[i])), "BG/NBD component \(i) at \(theta): \(fd) vs \(g[i])")
            }
        }
        let gg = GammaGammaLikelihood(WeightedSpend.group(frequency: summaries.map(\.x), meanValue: values).data)
        for _ in 0..<5 {
            let theta = [2 * rng.uniform() - 1, 2 * rng.uniform(), 2 * rng.uniform() + 1]
            let (_, g) = gg.evaluate(theta, threads: 1)
            for i in 0..<3 {
                let h = 1e-5
                var up = theta, down = theta
                up[i] += h; down[i] -= h
                let fd = (gg.evaluate(up, threads: 1).value - gg.evaluate(down, threads: 1).value) / (2 * h)
                #expect(abs(fd - g[i]) < 1e-6 * max(1, abs(g[i])), "Gamma-Gamma component \(i): \(fd) vs \(g[i])")
            }
        }
    }

    @Test func fitIsBitIdenticalAcrossThreadCounts() throws {
        let sim = CustomerSimulator(bgnbd: cdnowParameters, gammaGamma: GammaGammaParameters(p: 6.25, q: 3.74, gamma: 15.44))
        let (summaries, values) = sim.simulate(count: 30000, seed: 3)
        let data = WeightedSummaries.group(summaries)
        #expect(data.summaries.count > 3 * Parallel.chunkSize)   // several chunks
        let fits = [1, 2, 8].map { BGNBDFit.fit(data, threads: $0) }
        let p1 = try #require(fits[0].parameters, "\(fits[0].reason ?? "")")
        for f in fits.dropFirst() {
            let p = try #require(f.parameters)
            #expect(p.r.bitPattern == p1.r.bitPattern && p.alpha.bitPattern == p1.alpha.bitPattern
                    && p.a.bitPattern == p1.a.bitPattern && p.b.bitPattern == p1.b.bitPattern)
            #expect(f.logLikelihood!.bitPattern == fits[0].logLikelihood!.bitPattern)
        }
        // Recovers the simulated parameters roughly.
        #expect(abs(log(p1.r / cdnowParameters.r)) < 0.2 && abs(log(p1.a / cdnowParameters.a)) < 0.4)
        let gg = [1, 2, 8].map { GammaGammaFit.fit(frequency: summaries.map(\.x), meanValue: values, threads: $0) }
        let q1 = try #require(gg[0].parameters, "\(gg[0].reason ?? "")")
        for f in gg.dropFirst() { #expect(f.parameters == q1 && f.parameters!.p.bitPattern == q1.p.bitPattern) }
        #expect(abs(log(q1.p / 6.25)) < 0.3 && abs(log(q1.q / 3.74)) < 0.3)
    }

    @Test func degenerateDataGivesNoParameters() {
        let allZero = WeightedSummaries.group((0..<100).map { PurchaseSummary(x: 0, tx: 0, T: Double($0 % 30 + 1)) })
        let f1 = BGNBDFit.fit(allZero)
        #expect(f1.parameters == nil && f1.logLikelihood == nil && f1.reason != nil && !f1.converged)
        let three = WeightedSummaries.group([PurchaseSummary(x: 2, tx: 10, T: 20), PurchaseSummary(x: 0, tx: 0, T: 5),
                                             PurchaseSummary(x: 1, tx: 3, T: 30)])
        let f2 = BGNBDFit.fit(three)
        #expect(f2.parameters == nil && f2.reason != nil)
        let bad = WeightedSummaries.group([PurchaseSummary(x: .nan, tx: 0, T: 1)] + (0..<20).map { _ in PurchaseSummary(x: 1, tx: 1, T: 2) })
        #expect(BGNBDFit.fit(bad).parameters == nil)
        #expect(BGNBDFit.fit(WeightedSummaries(summaries: [], weights: [])).parameters == nil)
        let g1 = GammaGammaFit.fit(frequency: [1, 2, 0], meanValue: [10, 12, 0])
        #expect(g1.parameters == nil && g1.reason != nil && !g1.expectedSpendDefined)
        let g2 = GammaGammaFit.fit(frequency: Array(repeating: 2, count: 50), meanValue: Array(repeating: 10, count: 50))
        #expect(g2.parameters == nil && g2.reason != nil)
    }

    @Test func groupingIsSortedAndSumsWeights() {
        let s = [PurchaseSummary(x: 1, tx: 2, T: 3), PurchaseSummary(x: 0, tx: 0, T: 3),
                 PurchaseSummary(x: 1, tx: 2, T: 3), PurchaseSummary(x: 1, tx: 1, T: 3), PurchaseSummary(x: 0, tx: -0.0, T: 3)]
        let g = WeightedSummaries.group(s)
        #expect(g.summaries == [PurchaseSummary(x: 0, tx: 0, T: 3), PurchaseSummary(x: 1, tx: 1, T: 3), PurchaseSummary(x: 1, tx: 2, T: 3)])
        #expect(g.weights == [2, 1, 2])
    }
}
