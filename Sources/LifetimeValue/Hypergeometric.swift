import Foundation

/// Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1, as the BG/NBD
/// conditional expectation needs it.
///
/// Why Euler's transformation: the BG/NBD closed form uses
/// ₂F₁(r+x, b+x; a+b+x−1; z). For heavy transactors (x in the hundreds) the
/// direct series has huge terms and its value overflows, while
/// ₂F₁(a,b;c;z) = (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z) leaves parameters
/// c−a = a+b−1−r and c−b = a−1 that do not grow with x and a large c that
/// makes the series converge in a handful of terms. The prefactor is taken in
/// log space. The series value may be negative (e.g. c = a+b−1 < 0 when
/// a + b < 1 and x = 0), so no logarithm of the series itself is taken.
public enum Hypergeometric {
    /// Upper bound on series terms; only reached for z extremely close to 1.
    public static let maxTerms = 200_000

    /// Power series Σ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ for |z| < 1 and c not a
    /// non-positive integer. Stops when the terms are past their peak and
    /// negligible relative to the sum.
    public static func series(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        var sum = 1.0
        var term = 1.0
        var n = 0.0
        for _ in 0..<maxTerms {
            let ratio = (a + n) * (b + n) / ((c + n) * (n + 1)) * z
            term *= ratio
            sum += term
            if term == 0 { break }
            if abs(ratio) < 1, abs(term) <= 1e-17 * abs(sum) { break }
            if !term.isFinite { return .nan }
            n += 1
        }
        return sum
    }

    /// Evaluates the same series at several arguments at once. The
    /// coefficients (a)ₙ(b)ₙ/((c)ₙ n!) are shared, so each extra argument costs
    /// one multiply-add per term instead of a full series with divisions —
    /// this is what makes the 36 monthly evaluations of a CLV sum cheap.
    /// Arguments come in SIMD blocks of 4 (pad with 0), sorted ascending; the
    /// last lane of the last block decides convergence, blocks of smaller z
    /// drop out once their terms are negligible.
    static func series(_ a: Double, _ b: Double, _ c: Double, zs: UnsafePointer<SIMD4<Double>>,
                       into out: UnsafeMutablePointer<SIMD4<Double>>,
                       powers: UnsafeMutablePointer<SIMD4<Double>>, blocks m: Int) {
        guard m > 0 else { return }
        for k in 0..<m { out[k] = SIMD4(repeating: 1); powers[k] = SIMD4(repeating: 1) }
        let zmax = zs[m - 1].max()
        var coef = 1.0
        var n = 0.0
        var lo = 0   // blocks below `lo` (smaller z) have converged
        for _ in 0..<maxTerms {
            let ratio = (a + n) * (b + n) / ((c + n) * (n + 1))
            coef *= ratio
            if coef == 0 { break }
            for k in lo..<m {
                powers[k] *= zs[k]
                out[k] += coef * powers[k]
            }
            let last = coef * powers[m - 1][3]
            // Stop when the geometric tail bound |term| / (1 − |ratio·z|) is
            // below 1e-16 of the sum.
            if abs(ratio * zmax) < 1, abs(last) <= 1e-16 * abs(out[m - 1][3]) * (1 - abs(ratio * zmax)) { break }
            if !last.isFinite { for k in 0..<m { out[k] = SIMD4(repeating: .nan) }; return }
            // Past n > max(−a, −b) the term signs no longer change, so a block
            // whose terms shrink and are negligible stays converged.
            while lo < m - 1, n > -a, n > -b, abs(ratio * zs[lo][3]) < 1,
                  abs(coef * powers[lo][3]) <= 1e-16 * abs(out[lo][3]) * (1 - abs(ratio * zs[lo][3])) {
                lo += 1
            }
            n += 1
        }
    }

    /// ₂F₁(a, b; c; z) for 0 ≤ z < 1 through Euler's transformation:
    /// (1−z)^(c−a−b) · series(c−a, c−b; c; z), the prefactor as exp of a log.
    public static func f21(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double {
        precondition(z >= 0 && z < 1, "f21 supports 0 <= z < 1")
        if z == 0 { return 1 }
        let s = series(c - a, c - b, c, z)
        return s * exp((c - a - b) * log1p(-z))
    }

    /// log|₂F₁(a, b; c; z)| and its sign, for 0 ≤ z < 1 — usable where the
    /// value itself would overflow (the prefactor stays in log space).
    public static func logF21(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> (log: Double, sign: Double) {
        precondition(z >= 0 && z < 1, "logF21 supports 0 <= z < 1")
        if z == 0 { return (0, 1) }
        let s = series(c - a, c - b, c, z)
        return (log(abs(s)) + (c - a - b) * log1p(-z), s < 0 ? -1 : 1)
    }
}
