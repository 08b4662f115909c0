import Foundation

/// Seeded simulation of customers from the BG/NBD and Gamma-Gamma processes.
///
/// Why in the library: benchmarks and tests need large, reproducible data
/// with the structure of real data (whole purchase days, so (x, tₓ, T)
/// repeats), and a simulator from known parameters is also how a fit is
/// validated end to end. Pure computation; no I/O.
public struct CustomerSimulator {
    /// SplitMix64: tiny, fast and identical on every platform.
    public struct Generator: RandomNumberGenerator {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// Uniform in (0, 1).
        mutating func uniform() -> Double { (Double(next() >> 11) + 0.5) / 9_007_199_254_740_992 }
        mutating func normal() -> Double {
            sqrt(-2 * log(uniform())) * cos(2 * Double.pi * uniform())
        }
        /// Gamma(shape, scale 1) by Marsaglia–Tsang (boosted for shape < 1).
        mutating func gamma(_ shape: Double) -> Double {
            if shape < 1 { return gamma(shape + 1) * pow(uniform(), 1 / shape) }
            let d = shape - 1.0 / 3, c = 1 / sqrt(9 * d)
            while true {
                let x = normal()
                let v0 = 1 + c * x
                if v0 <= 0 { continue }
                let v = v0 * v0 * v0
                if log(uniform()) < 0.5 * x * x + d - d * v + d * log(v) { return d * v }
            }
        }
    }

    public var bgnbd: BGNBDParameters
    public var gammaGamma: GammaGammaParameters
    /// Customer ages are drawn uniformly from 0...maxAgeDays whole days.
    public var maxAgeDays: Int
    public var unit: TimeUnit

    public init(bgnbd: BGNBDParameters, gammaGamma: GammaGammaParameters, maxAgeDays: Int = 728, unit: TimeUnit = .weeks) {
        self.bgnbd = bgnbd
        self.gammaGamma = gammaGamma
        self.maxAgeDays = maxAgeDays
        self.unit = unit
    }

    /// Simulates `count` customers. Purchases happen in continuous time and
    /// are recorded on whole days (same-day purchases merge), so tₓ and T are
    /// multiples of 1/7 week as in real data. Returns the summaries and each
    /// customer's mean repeat-purchase value (0 when x = 0).
    public func simulate(count: Int, seed: UInt64) -> (summaries: [PurchaseSummary], meanValues: [Double]) {
        var rng = Generator(seed: seed)
        var summaries = [PurchaseSummary](), values = [Double]()
        summaries.reserveCapacity(count); values.reserveCapacity(count)
        let daysPerUnit = unit.days
        for _ in 0..<count {
            let ageDays = Int(rng.next() % UInt64(maxAgeDays + 1))
            let T = Double(ageDays) / daysPerUnit
            let lambda = rng.gamma(bgnbd.r) / bgnbd.alpha
            let ga = rng.gamma(bgnbd.a), gb = rng.gamma(bgnbd.b)
            let p = ga / (ga + gb)
            var t = 0.0, lastDay = 0, x = 0
            while lambda > 0 {
                t += -log(rng.uniform()) / lambda
                let dayValue = (t * daysPerUnit).rounded(.down)
                if !(dayValue <= Double(ageDays)) { break }
                let day = Int(dayValue)
                if day != lastDay { x += 1; lastDay = day }
                if rng.uniform() < p { break }
            }
            summaries.append(PurchaseSummary(x: Double(x), tx: Double(lastDay) / daysPerUnit, T: T))
            if x > 0 {
                let nu = rng.gamma(gammaGamma.q) / gammaGamma.gamma
                let px = gammaGamma.p * Double(x)
                values.append(rng.gamma(px) / (nu * Double(x)))
            } else {
                values.append(0)
            }
        }
        return (summaries, values)
    }
}
