/// Reads a plain decimal (an interest rate: `0.035`, `-1.25`) into the Double that
/// `Double(String)` gives, without building a String or calling strtod, which were most of
/// the accounts dump's per-row cost.
///
/// A number of the form `[+-]digits[.digits]` with at most 15 significant digits and at most
/// 22 decimals is its integer mantissa divided by a power of ten, both exact doubles, so
/// the one correctly rounded division is the correctly rounded value, as strtod's is. Any
/// other text (an exponent, more digits, `inf`) goes to `Double(String)`.
public enum DecimalDouble {
    private static let powersOfTen: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    public static func parse(_ b: UnsafeRawBufferPointer) -> Double? {
        let n = b.count
        var i = 0
        var negative = false
        if n > 0 && (b[0] == UInt8(ascii: "-") || b[0] == UInt8(ascii: "+")) {
            negative = b[0] == UInt8(ascii: "-")
            i = 1
        }
        var mantissa: UInt64 = 0
        var significant = 0, integerDigits = 0, decimals = -1
        while i < n {
            let c = b[i]
            if c >= 48 && c <= 57 {
                if significant > 0 || c != 48 { significant += 1 }
                mantissa = mantissa &* 10 &+ UInt64(c - 48)
                if decimals >= 0 { decimals += 1 } else { integerDigits += 1 }
            } else if c == UInt8(ascii: ".") && decimals < 0 {
                decimals = 0
            } else {
                return slow(b)
            }
            i += 1
        }
        guard integerDigits > 0, decimals != 0, significant <= 15, max(decimals, 0) <= 22 else { return slow(b) }
        let value = Double(mantissa) / powersOfTen[max(decimals, 0)]
        return negative ? -value : value
    }

    private static func slow(_ b: UnsafeRawBufferPointer) -> Double? {
        Double(String(decoding: b, as: UTF8.self))
    }
}
