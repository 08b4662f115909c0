// Locale-free, deterministic number formatting (no Foundation).

/// Fixed, locale-independent number formatting used for every label the charts print.
public enum NumberFormat {
    /// Text used for values that cannot be formatted (NaN, ±infinity).
    public static let notAvailable = "n/a"

    /// Groups an unsigned digit string with commas: "1234567" → "1,234,567".
    static func group(_ digits: String) -> String {
        let chars = Array(digits)
        guard chars.count > 3 else { return digits }
        var out = ""
        out.reserveCapacity(chars.count + chars.count / 3)
        for (i, c) in chars.enumerated() {
            if i > 0 && (chars.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// 1234567 → "1,234,567"; -42 → "-42".
    public static func integer(_ value: Int) -> String {
        let digits = String(value.magnitude)
        return (value < 0 ? "-" : "") + group(digits)
    }

    /// Fixed number of decimals, half away from zero, optional thousands separators.
    /// 1234.5 (places 2) → "1,234.50"; -0.004 (places 2) → "0.00".
    public static func decimal(_ value: Double, places: Int = 0, grouping: Bool = true) -> String {
        guard value.isFinite else { return notAvailable }
        let p = max(0, min(places, 9))
        var divisor: UInt64 = 1
        for _ in 0..<p { divisor *= 10 }
        let scaled = (value.magnitude * Double(divisor)).rounded(.toNearestOrAwayFromZero)
        guard scaled < 1.8e19 else { return value < 0 ? "-" + notAvailable : notAvailable }
        let n = UInt64(scaled)
        let intPart = String(n / divisor)
        var text = grouping ? group(intPart) : intPart
        if p > 0 {
            var frac = String(n % divisor)
            while frac.count < p { frac = "0" + frac }
            text += "." + frac
        }
        return (value < 0 && n != 0 ? "-" : "") + text
    }

    /// Fraction as percent: 0.1234 → "12.3 %".
    public static func percent(_ fraction: Double, places: Int = 1) -> String {
        guard fraction.isFinite else { return notAvailable }
        return decimal(fraction * 100, places: places) + " %"
    }

    /// Money with 2 decimals (or `places`) and separators: (-1234.5, "£") → "-£1,234.50".
    public static func money(_ value: Double, symbol: String = "", places: Int = 2) -> String {
        guard value.isFinite else { return notAvailable }
        let body = decimal(value.magnitude, places: places)
        let negative = value < 0 && body.contains(where: { $0 >= "1" && $0 <= "9" })
        return (negative ? "-" : "") + symbol + body
    }

    /// Removes trailing zeros after the decimal point: "2.50" → "2.5", "3.0" → "3".
    static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.hasSuffix("0") { t.removeLast() }
        if t.hasSuffix(".") { t.removeLast() }
        return t == "-0" ? "0" : t
    }

    /// Compact form for ticks and tight labels: 1_234_567 → "1.2M", 34_000 → "34k", 950 → "950",
    /// 2.5e9 → "2.5bn". `maxDecimals` decimals at most, trailing zeros trimmed.
    public static func compact(_ value: Double, maxDecimals: Int = 1) -> String {
        guard value.isFinite else { return notAvailable }
        let units: [(Double, String)] = [(1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")]
        let mag = value.magnitude
        var index = units.firstIndex { mag >= $0.0 } ?? units.count
        // Promote when rounding would print "1000k".
        while true {
            let (div, suffix) = index < units.count ? units[index] : (1, "")
            let d = max(0, min(maxDecimals, 6))
            var p10 = 1.0
            for _ in 0..<d { p10 *= 10 }
            let rounded = ((mag / div) * p10).rounded(.toNearestOrAwayFromZero) / p10
            let text = trimZeros(decimal(mag / div, places: d, grouping: true))
            if rounded >= 1000 && index > 0 && index <= units.count {
                index -= 1
                continue
            }
            let sign = (value < 0 && text != "0") ? "-" : ""
            return sign + text + suffix
        }
    }

    /// Coordinate for SVG output: at most one decimal, no grouping, "-0" avoided.
    static func coord(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        return trimZeros(decimal(v, places: 1, grouping: false))
    }
}

/// How a chart formats the values it prints (value labels, cells, axis ticks).
public enum ValueFormat: Sendable, Equatable {
    /// Whole number with separators: "1,234,567".
    case integer
    /// Fixed decimals with separators: `.decimal(2)` → "1,234.57".
    case decimal(Int)
    /// Value is a fraction; printed as percent with the given decimals: "12.3 %".
    case percent(Int)
    /// Money with 2 decimals and the given symbol prefix: "£1,234.50".
    case money(String)
    /// Compact: "1.2M", "34k".
    case compact

    /// Full label for a value.
    public func format(_ v: Double) -> String {
        switch self {
        case .integer: return v.isFinite ? NumberFormat.decimal(v, places: 0) : NumberFormat.notAvailable
        case .decimal(let p): return NumberFormat.decimal(v, places: p)
        case .percent(let p): return NumberFormat.percent(v, places: p)
        case .money(let s): return NumberFormat.money(v, symbol: s)
        case .compact: return NumberFormat.compact(v)
        }
    }

    /// Shorter label used when the full one does not fit.
    public func short(_ v: Double) -> String {
        switch self {
        case .integer, .compact: return NumberFormat.compact(v)
        case .decimal(let p): return v.magnitude >= 1000 ? NumberFormat.compact(v) : NumberFormat.decimal(v, places: min(p, 1))
        case .percent: return NumberFormat.percent(v, places: 0)
        case .money(let s):
            guard v.isFinite else { return NumberFormat.notAvailable }
            let c = NumberFormat.compact(v.magnitude)
            return (v < 0 && c != "0" ? "-" : "") + s + c
        }
    }

    /// Axis tick label; `step` is the tick spacing so labels carry just enough decimals.
    public func tick(_ v: Double, step: Double) -> String {
        let s = step > 0 && step.isFinite ? step : 1
        switch self {
        case .percent:
            return NumberFormat.decimal(v * 100, places: Self.decimalsFor(step: s * 100)) + " %"
        case .money(let sym):
            let c = Self.compactTick(v.magnitude, step: s)
            return (v < 0 && c != "0" ? "-" : "") + sym + c
        default:
            return Self.compactTick(v, step: s)
        }
    }

    static func decimalsFor(step: Double) -> Int {
        guard step > 0, step.isFinite else { return 0 }
        var d = 0
        var x = step
        while d < 6 && (x - x.rounded()).magnitude > 1e-9 * max(1, x.magnitude) {
            x *= 10; d += 1
        }
        return d
    }

    static func compactTick(_ v: Double, step: Double) -> String {
        let mag = v.magnitude
        let unit: Double = mag >= 1e12 ? 1e12 : mag >= 1e9 ? 1e9 : mag >= 1e6 ? 1e6 : mag >= 1e3 ? 1e3 : 1
        return NumberFormat.compact(v, maxDecimals: min(3, decimalsFor(step: step / unit)))
    }
}
