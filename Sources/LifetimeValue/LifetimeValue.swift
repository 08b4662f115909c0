import Foundation

/// Model time unit of the purchase summaries.
public enum TimeUnit: String, Sendable, Codable, CaseIterable {
    case days, weeks

    /// Length of one unit in days.
    public var days: Double { self == .days ? 1 : 7 }
    /// Units in an average month (365.25 / 12 days): 30.4375 days, ≈ 4.348 weeks.
    public var unitsPerMonth: Double { 365.25 / 12 / days }
}

/// Horizon and discounting of the CLV sums.
public struct CLVSettings: Sendable, Codable, Equatable {
    public var horizonMonths: Int
    public var annualDiscountRate: Double
    public var unit: TimeUnit

    public init(horizonMonths: Int = 36, annualDiscountRate: Double = 0.10, unit: TimeUnit = .weeks) {
        precondition(horizonMonths >= 1, "horizon must be at least one month")
        self.horizonMonths = horizonMonths
        self.annualDiscountRate = annualDiscountRate
        self.unit = unit
    }

    /// Monthly rate equivalent to the annual one: (1 + annual)^(1/12) − 1.
    public var monthlyDiscountRate: Double { pow(1 + annualDiscountRate, 1.0 / 12) - 1 }
    /// Horizon in model time units.
    public var horizon: Double { Double(horizonMonths) * unit.unitsPerMonth }
}

/// Scores of one customer.
public struct CustomerScore: Sendable, Equatable {
    public var pAlive: Double
    /// Expected repeat purchases over the CLV horizon.
    public var expectedTransactions: Double
    /// Σₖ (E[Y(kΔ)] − E[Y((k−1)Δ)]) / (1+d)^k: discounted expected purchases.
    public var discountedTransactions: Double
    /// Gamma-Gamma E[value | x, m]; nil when spend is undefined.
    public var expectedValue: Double?
    /// expectedValue × discountedTransactions; nil when spend is undefined.
    public var clvSpend: Double?
    /// valuePerTransaction × discountedTransactions (the bank's CLV).
    public var clv: Double
}

/// Output of the batch scorer, one entry per customer. `clvSpend` holds NaN
/// (never a negative stand-in) where the expected spend is undefined.
public struct BatchScores: Sendable {
    public var pAlive: [Double]
    public var expectedTransactions: [Double]
    public var clvSpend: [Double]
    public var clv: [Double]
    public var spendDefined: Bool
}

/// A fitted BG/NBD (and optionally Gamma-Gamma) model turned into CLV scores.
///
/// Why the discounted sum is computed once per customer: with
/// E[Y(t)] = K·(1 − G(t)), where K = (a+b+x−1)/(a−1)·P(alive) and G depends
/// only on (x, T, t), Σₖ (E[Y(kΔ)] − E[Y((k−1)Δ)])δᵏ = K·Σₖ (G((k−1)Δ) − G(kΔ))δᵏ.
/// Both CLVs are that one number times a value, and the G sum depends only on
/// (x, T), so the batch scorer evaluates it once per distinct (x, T).
public struct LifetimeValueModel: Sendable {
    public var bgnbd: BGNBDParameters
    public var gammaGamma: GammaGammaParameters?
    public var settings: CLVSettings

    public init(bgnbd: BGNBDParameters, gammaGamma: GammaGammaParameters? = nil, settings: CLVSettings = CLVSettings()) {
        self.bgnbd = bgnbd
        self.gammaGamma = gammaGamma
        self.settings = settings
    }

    /// SIMD blocks of 4 needed for the monthly grid, ×3 (z, series, powers).
    var scratchBlocks: Int { 3 * ((settings.horizonMonths + 3) / 4) }

    /// Σₖ (G((k−1)Δ) − G(kΔ))·δᵏ and G(HΔ) for one (x, T); the H values of
    /// ₂F₁ share their series coefficients.
    func survivalSums(x: Double, T: Double, scratch: UnsafeMutablePointer<SIMD4<Double>>) -> (sum: Double, last: Double) {
        let h = settings.horizonMonths
        let blocks = (h + 3) / 4
        let p = bgnbd.regularised(x: x)
        let step = settings.unit.unitsPerMonth
        let zs = scratch, out = scratch + blocks, powers = scratch + 2 * blocks
        for k in 0..<(4 * blocks) {
            let t = Double(k + 1) * step
            zs[k / 4][k % 4] = k < h ? t / (p.alpha + T + t) : 0
        }
        Hypergeometric.series(p.a + p.b - 1 - p.r, p.a - 1, p.a + p.b + x - 1,
                              zs: UnsafePointer(zs), into: out, powers: powers, blocks: blocks)
        let delta = 1 / (1 + settings.monthlyDiscountRate)
        var discount = 1.0, previous = 1.0, sum = 0.0
        for k in 0..<h {
            // (1 − z)^(a−1) with 1 − z = (α+T)/(α+T+t), as accurate as via log1p(−z) and cheaper.
            let t = Double(k + 1) * step
            let g = out[k / 4][k % 4] * pow((p.alpha + T) / (p.alpha + T + t), p.a - 1)
            discount *= delta
            sum += (previous - g) * discount
            previous = g
        }
        return (sum, previous)
    }

    func withScratch<R>(_ body: (UnsafeMutablePointer<SIMD4<Double>>) -> R) -> R {
        let scratch = UnsafeMutablePointer<SIMD4<Double>>.allocate(capacity: scratchBlocks)
        defer { scratch.deallocate() }
        return body(scratch)
    }

    /// K = (a+b+x−1)/(a−1)·P(alive), the factor in front of (1 − G).
    @inline(__always) func leadingFactor(_ s: PurchaseSummary) -> (k: Double, pAlive: Double) {
        let p = bgnbd.regularised(x: s.x)
        let alive = p.probabilityAlive(s)
        return ((p.a + p.b + s.x - 1) / (p.a - 1) * alive, alive)
    }

    /// Discounted expected number of future purchases over the horizon.
    public func discountedTransactions(_ s: PurchaseSummary) -> Double {
        let sums = withScratch { survivalSums(x: s.x, T: s.T, scratch: $0) }
        return max(0, leadingFactor(s).k * sums.sum)
    }

    /// Σₖ E[value]·(E[Y(kΔ)] − E[Y((k−1)Δ)])/(1+d)ᵏ with E[value] from
    /// Gamma-Gamma; nil when there is no Gamma-Gamma model or q ≤ 1.
    public func clvSpend(_ s: PurchaseSummary, meanValue: Double) -> Double? {
        guard let value = gammaGamma?.conditionalExpectedAverageValue(x: s.x, meanValue: meanValue) else { return nil }
        return value * discountedTransactions(s)
    }

    /// The bank's CLV: discounted expected purchases × a caller-supplied value
    /// per transaction (may be negative, e.g. a cost-making product).
    public func clv(_ s: PurchaseSummary, valuePerTransaction: Double) -> Double {
        valuePerTransaction * discountedTransactions(s)
    }

    /// All scores of one customer.
    public func score(_ s: PurchaseSummary, meanValue: Double, valuePerTransaction: Double) -> CustomerScore {
        let sums = withScratch { survivalSums(x: s.x, T: s.T, scratch: $0) }
        let (k, alive) = leadingFactor(s)
        let discounted = max(0, k * sums.sum)
        let value = gammaGamma?.conditionalExpectedAverageValue(x: s.x, meanValue: meanValue)
        return CustomerScore(pAlive: alive, expectedTransactions: max(0, k * (1 - sums.last)),
                             discountedTransactions: discounted, expectedValue: value,
                             clvSpend: value.map { $0 * discounted }, clv: valuePerTransaction * discounted)
    }

    /// Scores many customers. Distinct (x, T) pairs are found first and their
    /// survival sums computed once, in parallel; then every customer is
    /// scored in parallel chunks into preallocated arrays. `meanValue` may be
    /// nil (then `clvSpend` is NaN); `valuePerTransaction` has one entry per
    /// customer.
    public func scoreBatch(x: [Double], tx: [Double], T: [Double], meanValue: [Double]?,
                           valuePerTransaction: [Double], threads: Int = 1) -> BatchScores {
        let n = x.count
        precondition(tx.count == n && T.count == n && valuePerTransaction.count == n, "arrays must have equal length")
        if let meanValue { precondition(meanValue.count == n, "arrays must have equal length") }
        let threads = max(1, threads)
        // 1. Distinct (x, T).
        var table = KeyTable(expected: min(n, 1 << 16))
        var keyX: [Double] = [], keyT: [Double] = []
        var keyOf = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let id = table.insert(x[i], T[i], 0, nextID: keyX.count)
            if id == keyX.count { keyX.append(x[i]); keyT.append(T[i]) }
            keyOf[i] = Int32(id)
        }
        // 2. Survival sums per distinct key.
        let m = keyX.count
        var sumG = [Double](repeating: 0, count: m), lastG = [Double](repeating: 0, count: m)
        sumG.withUnsafeMutableBufferPointer { sumG in
            lastG.withUnsafeMutableBufferPointer { lastG in
                Parallel.forEachChunk(count: m, chunkSize: 256, threads: threads) { _, range in
                    withScratch { scratch in
                        for j in range {
                            let r = survivalSums(x: keyX[j], T: keyT[j], scratch: scratch)
                            sumG[j] = r.sum
                            lastG[j] = r.last
                        }
                    }
                }
            }
        }
        // 3. Per-customer scores.
        var pAlive = [Double](repeating: 0, count: n), expected = pAlive, spend = pAlive, value = pAlive
        let gg = gammaGamma.flatMap { $0.expectedValueDefined ? $0 : nil }
        pAlive.withUnsafeMutableBufferPointer { pA in
            expected.withUnsafeMutableBufferPointer { ex in
                spend.withUnsafeMutableBufferPointer { sp in
                    value.withUnsafeMutableBufferPointer { va in
                        Parallel.forEachChunk(count: n, chunkSize: 8192, threads: threads) { _, range in
                            for i in range {
                                let s = PurchaseSummary(x: x[i], tx: tx[i], T: T[i])
                                let (k, alive) = leadingFactor(s)
                                let j = Int(keyOf[i])
                                let discounted = max(0, k * sumG[j])
                                pA[i] = alive
                                ex[i] = max(0, k * (1 - lastG[j]))
                                va[i] = valuePerTransaction[i] * discounted
                                if let gg, let meanValue,
                                   let ev = gg.conditionalExpectedAverageValue(x: x[i], meanValue: meanValue[i]) {
                                    sp[i] = ev * discounted
                                } else {
                                    sp[i] = .nan
                                }
                            }
                        }
                    }
                }
            }
        }
        return BatchScores(pAlive: pAlive, expectedTransactions: expected, clvSpend: spend, clv: value,
                           spendDefined: gg != nil && meanValue != nil)
    }
}
