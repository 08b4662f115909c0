// Deterministic pseudo-random numbers and samplers.
//
// Everything here is pure integer / IEEE-754 arithmetic (+, -, *, /, sqrt are
// correctly rounded everywhere), and `exp`/`log` are implemented in this file
// instead of calling the platform libm, whose last-bit results differ between
// glibc, Apple and Windows. The same seed therefore yields the same bytes on
// every platform.

/// SplitMix64 (Steele, Lea, Flood 2014). Used to seed xoshiro and to mix ids.
public struct SplitMix64: Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Stateless 64-bit finaliser.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var s = SplitMix64(seed: x)
        return s.next()
    }
}

/// xoshiro256** 1.0 (Blackman, Vigna) with deterministic samplers.
public struct Xoshiro256: Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64
    @usableFromInline var spare: Double = 0
    @usableFromInline var hasSpare = false

    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
        if (s0 | s1 | s2 | s3) == 0 { s0 = 1 }
    }

    /// Raw state (must not be all zero); for reference-vector tests.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    /// An independent stream for (`seed`, `stream`), e.g. one per customer and month.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ SplitMix64.mix(stream &+ 0x6A09_E667_F3BC_C909))
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    @inline(__always) func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in (0, 1).
    @inline(__always)
    public mutating func uniformOpen() -> Double { (Double(next() >> 11) + 0.5) * 0x1p-53 }

    /// Uniform in [a, b).
    @inline(__always)
    public mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }

    /// Uniform integer in 0..<n (n > 0), multiply-high method (bias < 2^-64 * n).
    @inline(__always)
    public mutating func int(_ n: Int) -> Int {
        precondition(n > 0)
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform integer in lo...hi.
    @inline(__always)
    public mutating func int(_ lo: Int, _ hi: Int) -> Int {
        hi <= lo ? lo : lo + int(hi - lo + 1)
    }

    @inline(__always)
    public mutating func bernoulli(_ p: Double) -> Bool { uniform() < p }

    /// Standard normal, Marsaglia polar method (only sqrt and log).
    public mutating func normal() -> Double {
        if hasSpare { hasSpare = false; return spare }
        while true {
            let u = 2 * uniform() - 1
            let v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let f = (-2 * DetMath.log(s) / s).squareRoot()
                spare = v * f
                hasSpare = true
                return u * f
            }
        }
    }

    public mutating func normal(mean: Double, sd: Double) -> Double { mean + sd * normal() }

    /// Lognormal with the given *median* (exp(mu)) and log-sd sigma.
    public mutating func lognormal(median: Double, sigma: Double) -> Double {
        median * DetMath.exp(sigma * normal())
    }

    /// Exponential with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * DetMath.log(uniformOpen()) }

    /// Gamma(shape, scale), Marsaglia & Tsang (2000); shape < 1 via the boost U^(1/a).
    public mutating func gamma(shape: Double, scale: Double = 1) -> Double {
        precondition(shape > 0)
        if shape < 1 {
            let g = gamma(shape: shape + 1, scale: 1)
            return scale * g * DetMath.exp(DetMath.log(uniformOpen()) / shape)
        }
        let d = shape - 1.0 / 3.0
        let c = 1.0 / (9.0 * d).squareRoot()
        while true {
            var x: Double
            var v: Double
            repeat {
                x = normal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = uniformOpen()
            let x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 { return scale * d * v }
            if DetMath.log(u) < 0.5 * x2 + d * (1 - v + DetMath.log(v)) { return scale * d * v }
        }
    }

    /// Poisson(lambda): Knuth's product method applied in chunks of at most 30,
    /// which is exact (sum of independent Poissons) and O(lambda).
    public mutating func poisson(_ lambda: Double) -> Int {
        guard lambda > 0 else { return 0 }
        var remaining = lambda
        var k = 0
        while remaining > 0 {
            let step = remaining > 30 ? 30 : remaining
            remaining -= step
            let limit = DetMath.exp(-step)
            var p = 1.0
            while true {
                p *= uniform()
                if p <= limit { break }
                k += 1
            }
        }
        return k
    }

    /// Index drawn with probability proportional to `weights`.
    public mutating func pick(_ weights: [Double]) -> Int {
        var total = 0.0
        for w in weights { total += w }
        var u = uniform() * total
        for (i, w) in weights.enumerated() {
            if u < w { return i }
            u -= w
        }
        return weights.count - 1
    }
}

/// exp and log from +, -, *, / only, so results are bit-identical on every platform.
/// Relative error is a few ulp, which is plenty for simulation.
public enum DetMath {
    static let ln2Hi = 6.93147180369123816490e-01  // low bits zero: k * ln2Hi exact for |k| < 2^11
    static let ln2Lo = 1.90821492927058770002e-10
    static let invLn2 = 1.44269504088896338700e+00

    @inline(__always)
    static func pow2(_ k: Int) -> Double {
        Double(bitPattern: UInt64(k + 1023) << 52)
    }

    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.78 { return .infinity }
        if x < -745.0 { return 0 }
        let k = (x * invLn2).rounded()
        let r = (x - k * ln2Hi) - k * ln2Lo  // |r| <= ~0.3466
        // Taylor series to degree 13 (truncation < 2e-16 relative).
        var p = 1.0 / 6227020800.0
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        let ki = Int(k)
        if ki > 1023 { return p * pow2(1023) * pow2(ki - 1023) }
        if ki < -1022 { return p * pow2(-1022) * pow2(ki + 1022) }
        return p * pow2(ki)
    }

    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x.isInfinite { return x }
        var v = x
        var e = 0
        if (v.bitPattern >> 52) & 0x7FF == 0 {  // subnormal
            v *= 0x1p54
            e -= 54
        }
        let bits = v.bitPattern
        e += Int((bits >> 52) & 0x7FF) - 1023
        var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)  // [1, 2)
        if m > 1.4142135623730951 {
            m *= 0.5
            e += 1
        }
        // log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = 1.0 / 23.0
        p = p * s2 + 1.0 / 21.0
        p = p * s2 + 1.0 / 19.0
        p = p * s2 + 1.0 / 17.0
        p = p * s2 + 1.0 / 15.0
        p = p * s2 + 1.0 / 13.0
        p = p * s2 + 1.0 / 11.0
        p = p * s2 + 1.0 / 9.0
        p = p * s2 + 1.0 / 7.0
        p = p * s2 + 1.0 / 5.0
        p = p * s2 + 1.0 / 3.0
        let series = 2 * s + 2 * s * s2 * p
        let de = Double(e)
        return de * ln2Hi + (de * ln2Lo + series)
    }

    /// x^y for x > 0.
    public static func pow(_ x: Double, _ y: Double) -> Double { exp(y * log(x)) }
}
