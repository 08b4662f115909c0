/// Int128 conversions that stay fast. The standard library's conversions between Int128 and
/// Double or Int64 go through unspecialised generic code here (about 100 ns each, a tenth of
/// the features stage on 1M accounts); these use the two 64-bit halves directly.
extension Int128 {
    /// The high and low 64 bits, for storing in two Int64 columns.
    @inline(__always)
    public var halves: (high: Int64, low: Int64) { (_high, Int64(bitPattern: _low)) }

    @inline(__always)
    public init(high: Int64, low: Int64) {
        self = Int128(_low: UInt64(bitPattern: low), _high: high)
    }

    /// The nearest Double, as `Double(self)` gives: through Int64 whenever the value fits.
    @inline(__always)
    public var nearestDouble: Double {
        let low = Int64(bitPattern: _low)
        if _high == (low < 0 ? -1 : 0) { return Double(low) }
        return Double(self)
    }
}
