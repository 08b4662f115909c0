import Foundation

/// Outcome of a BG/NBD maximum-likelihood fit.
///
/// Why optional parameters: a fit that did not converge (or had data that
/// cannot identify the model) must not hand numbers to downstream scoring.
/// `parameters` is nil exactly when `reason` explains why.
public struct BGNBDFit: Sendable, Codable {
    public var parameters: BGNBDParameters?
    /// Summed (weighted) log-likelihood at the optimum, in the data's time units.
    public var logLikelihood: Double?
    public var customers: Int
    public var repeatCustomers: Int
    public var converged: Bool
    public var iterations: Int
    public var evaluations: Int
    /// Max |∂(mean negative log-likelihood)/∂ log θ| at the returned point;
    /// 0 when the data were rejected before optimising. Always finite (a
    /// non-finite norm is stored as `Double.greatestFiniteMagnitude`) so the
    /// result encodes with a default `JSONEncoder`.
    public var gradientNorm: Double
    public var method: String
    public var reason: String?
}

/// The weighted BG/NBD log-likelihood prepared for repeated evaluation.
///
/// Terms that depend on x only (log Γ, ψ, log(b+x−1)) are tabulated once per
/// distinct x per evaluation — real data has a few hundred distinct x against
/// up to a million groups. So are log(α+T) and log(α+tₓ) per distinct T and tₓ:
/// times in whole days take a few hundred values each, and the two logs were
/// a third of a fit. That leaves one exp and one log per group; each value is
/// computed as before, so the sums are bit for bit the same.
struct BGNBDLikelihood {
    var x: [Double], tx: [Double], T: [Double], w: [Double]
    var xIndex: [Int32]
    var uniqueX: [Double]
    var tIndex: [Int32], txIndex: [Int32]
    var uniqueT: [Double], uniqueTx: [Double]
    var totalWeight: Double
    var repeatWeight: Double

    init(_ data: WeightedSummaries) {
        x = data.summaries.map(\.x); tx = data.summaries.map(\.tx); T = data.summaries.map(\.T); w = data.weights
        totalWeight = 0; repeatWeight = 0
        for (s, weight) in zip(data.summaries, data.weights) {
            totalWeight += weight
            if s.x > 0 { repeatWeight += weight }
        }
        (uniqueX, xIndex) = Self.distinct(x)
        (uniqueT, tIndex) = Self.distinct(T)
        (uniqueTx, txIndex) = Self.distinct(tx)
    }

    /// The distinct values, in order of first appearance, and each value's index among them.
    static func distinct(_ values: [Double]) -> (values: [Double], index: [Int32]) {
        var table = KeyTable(expected: 1 << 12)
        var unique: [Double] = []
        let index = values.map { v in
            let id = table.insert(v, 0, 0, nextID: unique.count)
            if id == unique.count { unique.append(v) }
            return Int32(id)
        }
        return (unique, index)
    }

    /// A reason the data cannot be fitted, or nil.
    func validate() -> String? {
        if x.isEmpty || totalWeight <= 0 { return "no customers" }
        for i in x.indices {
            let ok = x[i].isFinite && tx[i].isFinite && T[i].isFinite && w[i].isFinite && x[i] >= 0
                && tx[i] >= 0 && T[i] >= 0 && w[i] >= 0 && tx[i] <= T[i] * (1 + 1e-12) + 1e-12
            if !ok {
                return "invalid summary x=\(x[i]) tx=\(tx[i]) T=\(T[i]) weight=\(w[i]) (need finite, 0 <= tx <= T, x >= 0)"
            }
        }
        if repeatWeight == 0 {
            return "no customer has a repeat purchase (all x = 0): the dropout parameters a, b are not identifiable"
        }
        if repeatWeight < 5 {
            return "only \(Int(repeatWeight)) customers with repeat purchases; at least 5 are needed to fit BG/NBD"
        }
        if !T.indices.contains(where: { T[$0] > 0 && w[$0] > 0 }) { return "all customers have age T = 0" }
        return nil
    }

    /// Mean negative log-likelihood and its gradient with respect to
    /// (log r, log α, log a, log b).
    func evaluate(_ theta: [Double], threads: Int) -> (value: Double, gradient: [Double]) {
        let r = exp(theta[0]), alpha = exp(theta[1]), a = exp(theta[2]), b = exp(theta[3])
        let m = uniqueX.count
        // Per distinct x: constant part of the log-likelihood, log(a/(b+x−1)),
        // and the x-dependent parts of ∂/∂r, ∂/∂a, ∂/∂b.
        var base = [Double](repeating: 0, count: m), c4 = base, dr = base, da = base, db = base
        let lgr = Special.lnGamma(r), lgb = Special.lnGamma(b), lgab = Special.lnGamma(a + b)
        let psr = Special.digamma(r), psb = Special.digamma(b), psab = Special.digamma(a + b)
        let logAlpha = log(alpha), logA = log(a)
        for j in 0..<m {
            let xv = uniqueX[j]
            base[j] = Special.lnGamma(r + xv) - lgr + r * logAlpha + lgab + Special.lnGamma(b + xv) - lgb - Special.lnGamma(a + b + xv)
            c4[j] = xv > 0 ? logA - log(b + xv - 1) : 0
            dr[j] = Special.digamma(r + xv) - psr + logAlpha
            let psabx = Special.digamma(a + b + xv)
            da[j] = psab - psabx
            db[j] = psab + Special.digamma(b + xv) - psb - psabx
        }
        let logT = uniqueT.map { log(alpha + $0) }, logTx = uniqueTx.map { log(alpha + $0) }
        let x = self.x, tx = self.tx, T = self.T, w = self.w, xi = self.xIndex, ti = self.tIndex, txi = self.txIndex
        let sums = Parallel.chunkedSums(count: x.count, width: 5, threads: threads) { range, acc in
            var ll = 0.0, gr = 0.0, gal = 0.0, ga = 0.0, gb = 0.0
            let rOverAlpha = r / alpha
            for g in range {
                let j = Int(xi[g]), xv = x[g], wg = w[g]
                let rx = r + xv
                let l3 = logT[Int(ti[g])]
                let a3 = -rx * l3
                if xv > 0 {
                    // log-sum-exp of A3 and A4, with w4 = e^A4 / (e^A3 + e^A4).
                    let l4 = logTx[Int(txi[g])]
                    let a4 = c4[j] - rx * l4
                    let d = a4 - a3
                    let e = exp(-abs(d))
                    let w4 = d > 0 ? 1 / (1 + e) : e / (1 + e)
                    let w3 = 1 - w4
                    ll += wg * (base[j] + max(a3, a4) + log(1 + e))   // log1p is ~5x slower in glibc; e ∈ (0, 1] so the absolute error stays ~1e-16
                    gr += wg * (dr[j] - w3 * l3 - w4 * l4)
                    gal += wg * (rOverAlpha - rx * (w3 / (alpha + T[g]) + w4 / (alpha + tx[g])))
                    ga += wg * (da[j] + w4 / a)
                    gb += wg * (db[j] - w4 / (b + xv - 1))
                } else {
                    ll += wg * (base[j] + a3)
                    gr += wg * (dr[j] - l3)
                    gal += wg * (rOverAlpha - rx / (alpha + T[g]))
                    ga += wg * da[j]
                    gb += wg * db[j]
                }
            }
            acc[0] = ll; acc[1] = gr; acc[2] = gal; acc[3] = ga; acc[4] = gb
        }
        let s = -1 / totalWeight
        return (s * sums[0], [s * sums[1] * r, s * sums[2] * alpha, s * sums[3] * a, s * sums[4] * b])
    }
}

/// Keeps fit reports JSON-encodable (JSONEncoder rejects NaN and infinity).
func encodableNorm(_ v: Double) -> Double { v.isFinite ? v : .greatestFiniteMagnitude }

/// Shared driver: BFGS, then Nelder–Mead + BFGS polish if BFGS failed.
func fitLogParameters(start: [Double], bound: Double = 25,
                      _ objective: @escaping Optimizer.Objective) -> (result: Optimizer.Result, reason: String?) {
    var result = Optimizer.bfgs(objective, start: start)
    if !result.converged {
        let from = result.value.isFinite ? result.x : start
        let nm = Optimizer.nelderMead({ objective($0).value }, start: from)
        var polished = Optimizer.bfgs(objective, start: nm.x)
        polished.iterations += result.iterations + nm.iterations
        polished.evaluations += result.evaluations + nm.evaluations
        polished.method = "Nelder-Mead fallback + BFGS"
        if polished.value.isFinite && (polished.converged || !(result.value <= polished.value)) { result = polished }
    }
    if !result.value.isFinite || !result.x.allSatisfy(\.isFinite) {
        return (result, "the likelihood is not finite at the optimum (\(result.message))")
    }
    if let i = result.x.firstIndex(where: { abs($0) > bound }) {
        return (result, "parameter \(i) ran off to \(result.x[i] > 0 ? "infinity" : "zero") (log value \(result.x[i])); the data do not identify the model")
    }
    if !result.converged {
        return (result, "optimiser did not converge (\(result.method): \(result.message), gradient norm \(result.gradientNorm))")
    }
    return (result, nil)
}

extension BGNBDFit {
    /// Maximum-likelihood fit of BG/NBD to grouped summaries, optimising the
    /// log-parameters with BFGS and analytic gradients. `threads` only changes
    /// speed: results are bit-identical for any value.
    public static func fit(_ data: WeightedSummaries, threads: Int = 1) -> BGNBDFit {
        let lik = BGNBDLikelihood(data)
        var out = BGNBDFit(parameters: nil, logLikelihood: nil, customers: Int(lik.totalWeight.rounded()),
                           repeatCustomers: Int(lik.repeatWeight.rounded()), converged: false, iterations: 0,
                           evaluations: 0, gradientNorm: 0, method: "BFGS", reason: nil)
        if let reason = lik.validate() { out.reason = reason; return out }
        var sumT = 0.0, sumX = 0.0
        for i in lik.x.indices { sumT += lik.w[i] * lik.T[i]; sumX += lik.w[i] * lik.x[i] }
        let alpha0 = min(max(sumT / sumX, 1e-3), 1e6)
        let threads = max(1, threads)
        let (res, reason) = fitLogParameters(start: [0, log(alpha0), 0, 0]) { lik.evaluate($0, threads: threads) }
        out.converged = res.converged && reason == nil
        out.iterations = res.iterations
        out.evaluations = res.evaluations
        out.gradientNorm = encodableNorm(res.gradientNorm)
        out.method = res.method
        if let reason { out.reason = reason; return out }
        out.parameters = BGNBDParameters(r: exp(res.x[0]), alpha: exp(res.x[1]), a: exp(res.x[2]), b: exp(res.x[3]))
        out.logLikelihood = -res.value * lik.totalWeight
        return out
    }
}
