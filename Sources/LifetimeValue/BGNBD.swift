import Foundation

/// Parameters of the BG/NBD model (Fader, Hardie & Lee 2005, "Counting your
/// customers the easy way"): purchase rates λ ~ Gamma(r, α) (α a rate, in
/// inverse model time units), dropout probabilities p ~ Beta(a, b).
public struct BGNBDParameters: Sendable, Codable, Equatable {
    public var r: Double
    public var alpha: Double
    public var a: Double
    public var b: Double

    public init(r: Double, alpha: Double, a: Double, b: Double) {
        self.r = r
        self.alpha = alpha
        self.a = a
        self.b = b
    }

    /// Per-customer log-likelihood, the formula of lifetimes'
    /// `BetaGeoFitter._negative_log_likelihood` (Hardie's note 004):
    /// A₁ + A₂ + log(e^{A₃} + [x>0] e^{A₄}), the last term as a log-sum-exp so
    /// that heavy transactors (large r+x) do not underflow.
    public func logLikelihood(_ s: PurchaseSummary) -> Double {
        let x = s.x
        let a1 = Special.lnGamma(r + x) - Special.lnGamma(r) + r * log(alpha)
        let a2 = Special.lnGamma(a + b) + Special.lnGamma(b + x) - Special.lnGamma(b) - Special.lnGamma(a + b + x)
        let a3 = -(r + x) * log(alpha + s.T)
        guard x > 0 else { return a1 + a2 + a3 }
        let a4 = log(a) - log(b + x - 1) - (r + x) * log(alpha + s.tx)
        let m = max(a3, a4)
        return a1 + a2 + m + log1p(exp(-abs(a3 - a4)))
    }

    /// log of the odds "dropped out after the last purchase" : "alive",
    /// a/(b+x−1) · ((α+T)/(α+tₓ))^(r+x), for x > 0.
    @inline(__always) func logDeadOdds(x: Double, tx: Double, T: Double) -> Double {
        (r + x) * (log(alpha + T) - log(alpha + tx)) + log(a / (b + x - 1))
    }

    /// P(customer still alive | x, tₓ, T) (Hardie's note 021). A customer
    /// without repeat purchases cannot have dropped out yet: 1.
    public func probabilityAlive(_ s: PurchaseSummary) -> Double {
        guard s.x > 0 else { return 1 }
        return 1 / (1 + exp(logDeadOdds(x: s.x, tx: s.tx, T: s.T)))
    }

    /// Parameters adjusted away from the removable singularities of the closed
    /// form: a = 1 (division by a−1) and a+b = 1 with x = 0 (c = 0 in ₂F₁).
    /// The expectation is continuous there, so a 1e-7 nudge changes it by a
    /// negligible amount instead of returning NaN.
    @inline(__always) func regularised(x: Double) -> BGNBDParameters {
        var p = self
        if abs(p.a - 1) < 1e-7 { p.a = 1 + 1e-7 }
        if abs(p.a + p.b + x - 1) < 1e-7 { p.b += 2e-7 }
        return p
    }

    /// G(t) = ₂F₁(r+x, b+x; a+b+x−1; z) · (1−z)^(r+x) with z = t/(α+T+t),
    /// via Euler's transformation, which cancels the x-dependent powers and
    /// leaves (1−z)^(a−1) · ₂F₁(a+b−1−r, a−1; a+b+x−1; z).
    @inline(__always) func survivalTerm(x: Double, T: Double, t: Double) -> Double {
        guard t > 0 else { return 1 }
        let z = t / (alpha + T + t)
        let s = Hypergeometric.series(a + b - 1 - r, a - 1, a + b + x - 1, z)
        return s * exp((a - 1) * log1p(-z))
    }

    /// Expected number of repeat purchases in the next `t` time units for a
    /// customer with history `s` (equation 10 of the BG/NBD paper):
    /// (a+b+x−1)/(a−1) · (1 − G(t)) · P(alive).
    public func expectedTransactions(in t: Double, _ s: PurchaseSummary) -> Double {
        let p = regularised(x: s.x)
        let g = p.survivalTerm(x: s.x, T: s.T, t: t)
        let first = (p.a + p.b + s.x - 1) / (p.a - 1)
        return max(0, first * (1 - g) * p.probabilityAlive(s))
    }

    /// Expected number of purchases in (0, t] for a new, randomly chosen
    /// customer (equation 9): the conditional formula with x = tₓ = T = 0.
    public func expectedTransactionsNewCustomer(in t: Double) -> Double {
        expectedTransactions(in: t, PurchaseSummary(x: 0, tx: 0, T: 0))
    }
}
