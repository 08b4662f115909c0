import Foundation
import Logging

/// Writes swift-log records to standard error, as text for people or one JSON object per
/// line for machines (`--log-format json`). Records carry stage, event, counts and
/// durations as metadata; no customer id or amount is ever logged above debug level.
public struct RunLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public let format: LogFormat
    private let lock: NSLock

    public init(format: LogFormat, level: Logger.Level) {
        self.format = format
        self.logLevel = level
        self.lock = RunLogHandler.sharedLock
    }

    private static let sharedLock = NSLock()

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        write(level: event.level, message: event.message, metadata: event.metadata)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?) {
        var all = metadata
        if let extra { all.merge(extra) { $1 } }
        let time = RunClock.timestamp()
        let text: String
        switch format {
        case .json:
            var object: [String: Any] = ["time": time, "level": level.rawValue, "message": message.description]
            for (k, v) in all { object[k] = RunLogHandler.jsonValue(v) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            text = String(decoding: data, as: UTF8.self) + "\n"
        case .text:
            let fields = all.keys.sorted().map { "\($0)=\(all[$0]!)" }.joined(separator: " ")
            text = "\(time) \(level.rawValue.uppercased()) \(message)\(fields.isEmpty ? "" : " " + fields)\n"
        }
        lock.lock()
        ProgressLine.shared.clear()
        FileHandle.standardError.write(Data(text.utf8))
        lock.unlock()
    }

    static func jsonValue(_ v: Logger.Metadata.Value) -> Any {
        switch v {
        case .string(let s): return Double(s).map { $0.isFinite ? $0 as Any : s as Any } ?? s
        case .stringConvertible(let c): return Double(c.description) ?? c.description
        case .array(let a): return a.map(jsonValue)
        case .dictionary(let d): return d.mapValues(jsonValue)
        }
    }
}

/// Wall-clock time for logs and the manifest's "started" fields only; never for data.
enum RunClock {
    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }

    static func now() -> Double { Date().timeIntervalSince1970 }
}

/// The progress line on a terminal: bytes read of total, rows per second, time left.
/// Off when standard error is not a terminal (cron), where logs mark stage starts and ends.
final class ProgressLine: @unchecked Sendable {
    static let shared = ProgressLine()
    var enabled = false
    private var shown = false
    private var lastDraw = 0.0
    private let lock = NSLock()

    func update(stage: String, done: Int64, total: Int64, rows: Int, started: Double) {
        guard enabled else { return }
        let now = RunClock.now()
        lock.lock()
        defer { lock.unlock() }
        guard now - lastDraw > 0.2 else { return }
        lastDraw = now
        let elapsed = max(now - started, 0.001)
        let share = total > 0 ? Double(done) / Double(total) : 0
        let left = share > 0.01 ? elapsed / share - elapsed : 0
        let line = String(format: "\r%@: %.0f of %.0f MB (%.0f %%), %.0f rows/s, %.0f s left   ",
                          stage, Double(done) / 1e6, Double(total) / 1e6, share * 100, Double(rows) / elapsed, left)
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func clear() {
        guard shown else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
        shown = false
    }
}
