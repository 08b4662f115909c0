/// A linear axis scale with "nice" tick values (Heckbert's nice-numbers algorithm).
public struct NiceScale: Sendable, Equatable {
    /// Lowest tick (≤ data minimum).
    public let lower: Double
    /// Highest tick (≥ data maximum).
    public let upper: Double
    /// Distance between ticks: 1, 2 or 5 × 10^k.
    public let step: Double
    /// Tick values from `lower` to `upper`, inclusive.
    public let ticks: [Double]

    /// Nice ticks covering `min...max` with about `targetTicks` ticks.
    /// Example: 0...97 → 0, 20, 40, 60, 80, 100.
    public init(min: Double, max: Double, targetTicks: Int = 6) {
        var lo = min.isFinite ? min : 0
        var hi = max.isFinite ? max : 1
        if lo > hi { swap(&lo, &hi) }
        if lo == hi {
            if lo == 0 { hi = 1 } else {
                let pad = lo.magnitude * 0.5
                lo -= pad; hi += pad
                if min >= 0 && lo < 0 { lo = 0 }
            }
        }
        let n = Swift.max(2, targetTicks)
        // Step from the raw span (rather than Heckbert's rounded-up span) so that 0…1.02 gets a
        // step of 0.2, not 0.5.
        let step = NiceScale.niceNumber((hi - lo) / Double(n - 1), round: true)
        // Tolerance (a millionth of a step, invisible) so 1.0000000002 does not add a whole extra tick.
        let first = (lo / step + 1e-6).rounded(.down)
        let last = (hi / step - 1e-6).rounded(.up)
        var ticks: [Double] = []
        var i = first
        while i <= last + 0.5 {
            var v = i * step
            // Clean binary noise (0.30000000000000004 → 0.3) and negative zero.
            let decimals = ValueFormat.decimalsFor(step: step)
            var p10 = 1.0
            for _ in 0..<decimals { p10 *= 10 }
            v = (v * p10).rounded() / p10
            if v == 0 { v = 0 }
            ticks.append(v)
            i += 1
        }
        self.lower = ticks.first ?? lo
        self.upper = ticks.last ?? hi
        self.step = step
        self.ticks = ticks
    }

    /// Nearest "nice" number (1, 2, 5 × 10^k) to `x`; rounds when `round`, otherwise takes the ceiling.
    public static func niceNumber(_ x: Double, round: Bool) -> Double {
        guard x > 0, x.isFinite else { return 1 }
        let x = x * (1 - 1e-9)
        var exponent = 0
        var f = x
        while f >= 10 { f /= 10; exponent += 1 }
        while f < 1 { f *= 10; exponent -= 1 }
        let nice: Double
        if round {
            nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        } else {
            nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
        }
        var p = 1.0
        for _ in 0..<exponent.magnitude { p *= 10 }
        return exponent >= 0 ? nice * p : nice / p
    }

    /// Maps a value into `[from, to]` (pixel range); `from` corresponds to `lower`.
    func map(_ v: Double, from: Double, to: Double) -> Double {
        let span = upper - lower
        guard span > 0 else { return from }
        return from + (v - lower) / span * (to - from)
    }
}
