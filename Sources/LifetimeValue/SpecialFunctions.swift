import Foundation

/// Gamma-function helpers needed by the likelihoods and their gradients.
///
/// Why here: Foundation provides `lgamma` but not the digamma function ψ,
/// which the analytic gradients of both likelihoods need.
enum Special {
    /// log Γ(x) for x > 0, through the reentrant overlay (lgamma_r), so it is
    /// safe to call from parallel code (plain lgamma writes global `signgam`).
    @inline(__always) static func lnGamma(_ x: Double) -> Double {
        let result: (Double, Int) = lgamma(x)
        return result.0
    }

    /// Digamma ψ(x) = d/dx log Γ(x) for x > 0: upward recurrence to x ≥ 10,
    /// then the asymptotic series (absolute error below 1e-15 there).
    static func digamma(_ x0: Double) -> Double {
        guard x0.isFinite, x0 > 0 else { return .nan }
        var x = x0
        var result = 0.0
        while x < 10 {
            result -= 1 / x
            x += 1
        }
        let f = 1 / (x * x)
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))))
        return result + log(x) - 0.5 / x - series
    }
}
