/// Parses booking dates from raw bytes without allocating: `YYYY-MM-DD`, or an ISO 8601
/// date-time (`T` or space, `HH:MM[:SS[.fff]]`, optional `Z` or `±HH[:MM]` offset).
///
/// A date-time with an offset is moved to the reporting time zone (given as its offset from
/// UTC) before it is cut to a day, so a payment at 23:30 +00:00 books on the next day in
/// a bank at +01:00. A date-time without an offset is taken as local time already.
public enum DayParser {
    public enum Result: Equatable, Sendable {
        case day(Day)
        case empty
        /// Not a date in one of the accepted shapes.
        case badFormat
        /// Shaped like a date but not a real one (2026-02-30, month 13).
        case notADate
    }

    public static func parse(_ b: UnsafeRawBufferPointer, utcOffsetSeconds: Int) -> Result {
        let n = b.count
        if n == 0 { return .empty }
        guard n >= 10 else { return .badFormat }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let c = b[i]
            return c >= 48 && c <= 57 ? Int(c - 48) : nil
        }
        @inline(__always) func number(_ from: Int, _ count: Int) -> Int? {
            var v = 0
            for i in from..<(from + count) {
                guard let d = digit(i) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = number(0, 4), b[4] == UInt8(ascii: "-"), let month = number(5, 2), b[7] == UInt8(ascii: "-"),
              let dayOfMonth = number(8, 2) else { return .badFormat }
        guard month >= 1 && month <= 12, dayOfMonth >= 1, dayOfMonth <= Day.daysInMonth(year: year, month: month), year >= 1900, year <= 2200
        else { return .notADate }
        let date = Day(year: year, month: month, day: dayOfMonth)
        if n == 10 { return .day(date) }
        // A time part.
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), n >= 16,
              let hour = number(11, 2), b[13] == UInt8(ascii: ":"), let minute = number(14, 2), hour < 24, minute < 60
        else { return .badFormat }
        var i = 16
        var second = 0
        if i < n && b[i] == UInt8(ascii: ":") {
            guard i + 3 <= n, let s = number(i + 1, 2), s < 61 else { return .badFormat }
            second = s
            i += 3
            if i < n && (b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",")) {
                i += 1
                let start = i
                while i < n, digit(i) != nil { i += 1 }
                if i == start { return .badFormat }
            }
        }
        if i == n { return .day(date) }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") {
            guard i + 1 == n else { return .badFormat }
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard i + 3 <= n, let oh = number(i + 1, 2), oh <= 18 else { return .badFormat }
            var om = 0
            var j = i + 3
            if j < n && b[j] == UInt8(ascii: ":") {
                j += 1
                guard j < n else { return .badFormat }   // "+05:" with no minutes
            }
            if j < n {
                guard j + 2 == n, let m = number(j, 2), m < 60 else { return .badFormat }
                om = m
            }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return .badFormat
        }
        let local = (hour * 3600 + minute * 60 + second) - offset + utcOffsetSeconds
        let shift = local >= 0 ? local / 86400 : -((-local + 86399) / 86400)
        return .day(date + shift)
    }
}
