import Foundation
import Testing
@testable import LifetimeValue

@Suite struct OptimizerTests {
    /// Rosenbrock with its analytic gradient; minimum 0 at (1, 1).
    static func rosenbrock(_ p: [Double]) -> (value: Double, gradient: [Double]) {
        let (x, y) = (p[0], p[1])
        return (pow(1 - x, 2) + 100 * pow(y - x * x, 2),
                [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    }

    @Test func bfgsAndNelderMeadMinimiseRosenbrock() {
        let b = Optimizer.bfgs(Self.rosenbrock, start: [-1.2, 1])
        #expect(b.converged && abs(b.x[0] - 1) < 1e-6 && abs(b.x[1] - 1) < 1e-6, "\(b)")
        let nm = Optimizer.nelderMead({ Self.rosenbrock($0).value }, start: [-1.2, 1])
        #expect(abs(nm.x[0] - 1) < 1e-4 && abs(nm.x[1] - 1) < 1e-4, "\(nm)")
    }

    @Test func nonFiniteStartIsReported() {
        let r = Optimizer.bfgs({ _ in (.nan, [0]) }, start: [0])
        #expect(!r.converged)
    }

    @Test func fitIsScaleInvariantBetweenDaysAndWeeks() throws {
        let sim = CustomerSimulator(bgnbd: cdnowParameters, gammaGamma: GammaGammaParameters(p: 6, q: 4, gamma: 15))
        let weeks = sim.simulate(count: 5000, seed: 9).summaries
        let days = weeks.map { PurchaseSummary(x: $0.x, tx: ($0.tx * 7).rounded(), T: ($0.T * 7).rounded()) }
        let fw = try #require(BGNBDFit.fit(.group(weeks)).parameters)
        let fd = try #require(BGNBDFit.fit(.group(days)).parameters)
        #expect(abs(fd.alpha / fw.alpha - 7) < 1e-4 && abs(fd.r / fw.r - 1) < 1e-5 && abs(fd.b / fw.b - 1) < 1e-4, "\(fw) \(fd)")
    }

    @Test func failedFitsEncodeAsJSON() throws {
        let f = BGNBDFit.fit(.group([PurchaseSummary(x: 0, tx: 0, T: 1)]))
        let g = GammaGammaFit.fit(frequency: [1], meanValue: [3])
        _ = try JSONEncoder().encode(f)
        _ = try JSONEncoder().encode(g)
    }
}

@Suite struct FallbackTests {
    @Test func wrongGradientFallsBackAndIsNotCertified() {
        // Gradient with the wrong sign and an offset: BFGS cannot make
        // progress, Nelder–Mead runs, and since the reported gradient never
        // vanishes the driver refuses to certify convergence.
        let (res, reason) = fitLogParameters(start: [0, 0]) { p in
            (pow(p[0] - 1, 2) + pow(p[1] + 0.5, 2), [-2 * (p[0] - 1) + 1, -2 * (p[1] + 0.5)])
        }
        #expect(res.method.contains("Nelder-Mead"))
        #expect(reason != nil)
        #expect(abs(res.x[0] - 1) < 1e-3 && abs(res.x[1] + 0.5) < 1e-3)
    }
}
