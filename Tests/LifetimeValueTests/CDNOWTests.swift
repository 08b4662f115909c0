import Foundation
import Testing
@testable import LifetimeValue

/// Published maximum-likelihood estimates on the CDNOW sample (weeks):
/// Fader, Hardie & Lee (2005) and the lifetimes documentation.
@Suite struct CDNOWTests {
    static let data = CDNOW.load()

    func close(_ a: Double, _ b: Double, _ rel: Double = 0.005) -> Bool { abs(a - b) <= rel * abs(b) }

    @Test(.enabled(if: data != nil, "CDNOW_SAMPLE not set: run eval \"$(scripts/cdnow-fixture.sh)\" first"))
    func summaryMatchesPublishedCounts() throws {
        let customers = try #require(Self.data)
        #expect(customers.count == 2357)
        #expect(customers.filter { $0.summary.x > 0 }.count == 946)
        // Customer 1 of the published summary: x = 2, tx = 30.43, T = 38.86.
        let c1 = customers[0].summary
        #expect(c1.x == 2 && abs(c1.tx - 30.43) < 0.01 && abs(c1.T - 38.86) < 0.01)
    }

    @Test(.enabled(if: data != nil, "CDNOW_SAMPLE not set: run eval \"$(scripts/cdnow-fixture.sh)\" first"))
    func bgnbdReproducesPublishedFit() throws {
        let customers = try #require(Self.data)
        let fit = BGNBDFit.fit(.group(customers.map(\.summary)), threads: 2)
        let p = try #require(fit.parameters, "fit failed: \(fit.reason ?? "")")
        #expect(fit.converged && fit.reason == nil)
        #expect(fit.customers == 2357 && fit.repeatCustomers == 946)
        #expect(close(p.r, 0.2426) && close(p.alpha, 4.4135) && close(p.a, 0.7929) && close(p.b, 2.4258), "\(p)")
        let ll = try #require(fit.logLikelihood)
        #expect(close(ll, -9582.43), "log-likelihood \(ll)")
        // Summed per-customer log-likelihood agrees with the fitted total.
        let direct = customers.reduce(0.0) { $0 + p.logLikelihood($1.summary) }
        #expect(abs(direct - ll) < 1e-6 * abs(ll))
    }

    @Test(.enabled(if: data != nil, "CDNOW_SAMPLE not set: run eval \"$(scripts/cdnow-fixture.sh)\" first"))
    func gammaGammaReproducesPublishedFit() throws {
        let customers = try #require(Self.data)
        let fit = GammaGammaFit.fit(frequency: customers.map(\.summary.x), meanValue: customers.map(\.meanValue), threads: 2)
        let p = try #require(fit.parameters, "fit failed: \(fit.reason ?? "")")
        #expect(fit.customers == 946 && fit.excludedCustomers == 0)
        #expect(fit.converged && fit.expectedSpendDefined)
        #expect(close(p.p, 6.2488) && close(p.q, 3.7446) && close(p.gamma, 15.4477), "\(p)")
    }
}
