/// Money as an exact integer count of ten-thousandths of the currency unit (four decimal
/// places, the most the contract allows), so that sums never depend on the order rows were
/// added in, and so not on the number of threads.
public enum Money {
    /// Units per currency unit: 1.00 EUR is 10_000.
    public static let scale: Int64 = 10_000
    /// The largest magnitude accepted on one row: 10^11 currency units (a hundred billion),
    /// far past any retail transaction, and small enough that a customer's sums stay inside
    /// Int64 (9.2 × 10^14 units) for thousands of such rows. Larger amounts are rejected
    /// (`AMOUNT_OVERFLOW`) rather than wrapped.
    public static let maxMagnitude: Int64 = 100_000_000_000 * 10_000

    /// The largest magnitude of a figure derived in floating point (a profit part, a CLV, a
    /// value at risk): an eighth of Int64, about 1.15 × 10^14 currency units, so that a few
    /// of them add up without overflow. Only absurd input (balances of hundreds of trillions)
    /// gets there; the figure is clamped to it instead of trapping.
    public static let maxDerived: Int64 = Int64.max / 8

    /// `steps` (a count of `step` money units, from floating-point arithmetic) rounded, in
    /// money units, clamped to ±`maxDerived`; NaN gives 0. The caller computes `steps` so the
    /// rounding is exactly that of its formula.
    public static func derived(steps value: Double, step: Int64) -> Int64 {
        let steps = value.rounded()
        let limit = maxDerived / step
        if steps.isNaN { return 0 }
        if steps >= Double(limit) { return limit * step }
        if steps <= -Double(limit) { return -limit * step }
        return Int64(steps) * step
    }

    public enum ParseResult: Equatable, Sendable {
        case value(Int64)
        case empty
        /// Not a decimal number (letters, two points, a comma as decimal separator).
        case badFormat
        /// More than four decimal places.
        case tooPrecise
        /// Larger than `maxMagnitude`.
        case overflow
    }

    /// Parses `[+-]digits[.digits]` exactly, from raw bytes and without allocating. The
    /// whole digits and the decimals are two loops, so that a digit costs no test of which
    /// side of the point it is on; the bytes are still taken left to right, and the first
    /// fault met decides the result.
    public static func parse(_ b: UnsafeRawBufferPointer) -> ParseResult {
        let n = b.count
        if n == 0 { return .empty }
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+") {
            negative = b[0] == UInt8(ascii: "-")
            i = 1
        }
        var value: Int64 = 0
        var digits = 0
        while i < n {
            let d = b[i] &- 48
            guard d <= 9 else { break }
            // value ≤ maxMagnitude (10^15) before, so this cannot overflow Int64.
            value = value * 10 + Int64(d)
            if value > maxMagnitude { return .overflow }
            digits += 1
            i += 1
        }
        var places = 0
        if i < n {
            guard b[i] == UInt8(ascii: ".") else { return .badFormat }
            i += 1
            while i < n {
                let d = b[i] &- 48
                guard d <= 9 else { return .badFormat }
                if places == 4 {
                    // Trailing zeros past four places are harmless.
                    if d != 0 { return .tooPrecise }
                } else {
                    value = value * 10 + Int64(d)
                    if value > maxMagnitude { return .overflow }
                    digits += 1
                    places += 1
                }
                i += 1
            }
        }
        if digits == 0 { return .badFormat }
        for _ in places..<4 {
            if value > maxMagnitude / 10 { return .overflow }
            value *= 10
        }
        if value > maxMagnitude { return .overflow }
        return .value(negative ? -value : value)
    }

    public static func parse(_ text: String) -> ParseResult {
        var text = text
        return text.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    /// Formats `units` with `decimals` places (2 for reports), rounding half away from zero.
    /// Fixed and locale-free: `-1234.50`.
    public static func format(_ units: Int64, decimals: Int = 2) -> String {
        precondition(decimals >= 0 && decimals <= 4)
        var divisor: Int64 = 1
        for _ in decimals..<4 { divisor *= 10 }
        var magnitude = units.magnitude
        let rem = magnitude % UInt64(divisor)
        magnitude /= UInt64(divisor)
        if rem * 2 >= UInt64(divisor) && divisor > 1 { magnitude += 1 }
        var places: UInt64 = 1
        for _ in 0..<decimals { places *= 10 }
        let whole = magnitude / places
        let frac = magnitude % places
        let sign = units < 0 && magnitude > 0 ? "-" : ""
        if decimals == 0 { return sign + String(whole) }
        return sign + String(whole) + "." + pad(Int(frac), decimals)
    }

    /// Converts an amount with an exchange rate given in 1e-8 steps (1.0 = 100_000_000),
    /// rounding half to even; nil when the result does not fit.
    public static func convert(_ units: Int64, rateE8: Int64) -> Int64? {
        let product = Int128(units) * Int128(rateE8)
        let q = product / 100_000_000
        let r = product % 100_000_000
        var result = q
        let twice = (r < 0 ? -r : r) * 2
        if twice > 100_000_000 || (twice == 100_000_000 && q % 2 != 0) {
            result += product < 0 ? -1 : 1
        }
        guard result.magnitude <= UInt128(maxMagnitude) else { return nil }
        return Int64(result)
    }

    /// The value in currency units as a Double, for ratios and models only.
    @inline(__always)
    public static func toDouble(_ units: Int64) -> Double { Double(units) / Double(scale) }
}
