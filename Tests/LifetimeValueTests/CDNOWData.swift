import Foundation
@testable import LifetimeValue

/// Reads the CDNOW sample (whitespace separated: master id, sample id,
/// YYYYMMDD, CDs, dollars) and builds the calibration summary the way
/// lifetimes' `summary_data_from_transaction_data` does, in weeks = days / 7.
enum CDNOW {
    static let calibrationEnd = dayNumber(19970930)

    /// Days since 1970-01-01 of a YYYYMMDD date (civil-from-days inverse).
    static func dayNumber(_ ymd: Int) -> Int {
        var y = ymd / 10000
        let m = (ymd / 100) % 100, d = ymd % 100
        y -= m <= 2 ? 1 : 0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    struct Customer { var summary: PurchaseSummary; var meanValue: Double }

    /// nil when the environment variable CDNOW_SAMPLE is unset or unreadable.
    static func load() -> [Customer]? {
        guard let path = ProcessInfo.processInfo.environment["CDNOW_SAMPLE"],
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        // customer -> day -> total dollars
        var days: [Int: [Int: Double]] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard f.count >= 5, let id = Int(f[0]), let date = Int(f[2]), let dollars = Double(f[4]) else { continue }
            let day = dayNumber(date)
            guard day <= calibrationEnd else { continue }
            days[id, default: [:]][day, default: 0] += dollars
        }
        return days.keys.sorted().map { id in
            let perDay = days[id]!.sorted { $0.key < $1.key }
            let first = perDay.first!.key, last = perDay.last!.key
            let repeats = perDay.dropFirst().map(\.value)
            let mean = repeats.isEmpty ? 0 : repeats.reduce(0, +) / Double(repeats.count)
            return Customer(summary: PurchaseSummary(x: Double(perDay.count - 1), tx: Double(last - first) / 7,
                                                     T: Double(calibrationEnd - first) / 7),
                            meanValue: mean)
        }
    }
}
