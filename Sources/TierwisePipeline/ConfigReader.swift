import TOMLKit

/// Reads one TOML table of the pipeline file, remembering which keys were asked for, so that
/// any key nobody asked for is reported as unknown with the closest known key.
final class ConfigReader {
    let file: String
    let path: String
    private let table: TOMLTable?
    private(set) var known: [String] = []
    private var children: [ConfigReader] = []
    /// Tables whose keys are free-form (column maps, label maps, rate tables).
    private var freeForm = false

    init(file: String, path: String, table: TOMLTable?) {
        self.file = file
        self.path = path
        self.table = table
    }

    private func qualified(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func has(_ key: String) -> Bool { table?[key] != nil }

    func table(_ key: String) throws -> ConfigReader {
        known.append(key)
        let value = table?[key]
        if let value, value.table == nil {
            throw ConfigError(file: file, key: qualified(key), message: "must be a table ([\(qualified(key))])")
        }
        let child = ConfigReader(file: file, path: qualified(key), table: value?.table)
        children.append(child)
        return child
    }

    /// All key/value pairs of a free-form table, as strings.
    func stringMap(_ key: String) throws -> [String: String]? {
        known.append(key)
        guard let value = table?[key] else { return nil }
        guard let t = value.table else { throw ConfigError(file: file, key: qualified(key), message: "must be a table of names to text") }
        var out: [String: String] = [:]
        for k in t.keys {
            guard let s = t[k]?.string else { throw ConfigError(file: file, key: qualified(key) + "." + k, message: "must be text in quotes") }
            out[k] = s
        }
        return out
    }

    func doubleMap(_ key: String, range: ClosedRange<Double>, allowedKeys: [String]? = nil) throws -> [String: Double]? {
        known.append(key)
        guard let value = table?[key] else { return nil }
        guard let t = value.table else { throw ConfigError(file: file, key: qualified(key), message: "must be a table of names to numbers") }
        var out: [String: Double] = [:]
        for k in t.keys {
            let q = qualified(key) + "." + k
            if let allowedKeys, !allowedKeys.contains(k) {
                throw unknown(k, in: qualified(key), known: allowedKeys)
            }
            guard let d = t[k].flatMap(ConfigReader.number) else { throw ConfigError(file: file, key: q, message: "must be a number") }
            guard range.contains(d) else { throw ConfigError(file: file, key: q, message: "is \(d); allowed \(describe(range))") }
            out[k] = d
        }
        return out
    }

    static func number(_ v: TOMLValueConvertible) -> Double? { v.double ?? v.int.map(Double.init) }

    func double(_ key: String, _ current: Double, range: ClosedRange<Double>) throws -> Double {
        known.append(key)
        guard let value = table?[key] else { return current }
        guard let d = ConfigReader.number(value) else { throw ConfigError(file: file, key: qualified(key), message: "must be a number") }
        guard range.contains(d) else { throw ConfigError(file: file, key: qualified(key), message: "is \(d); allowed \(describe(range))") }
        return d
    }

    func int(_ key: String, _ current: Int, range: ClosedRange<Int>) throws -> Int {
        known.append(key)
        guard let value = table?[key] else { return current }
        guard let i = value.int else { throw ConfigError(file: file, key: qualified(key), message: "must be a whole number") }
        guard range.contains(i) else { throw ConfigError(file: file, key: qualified(key), message: "is \(i); allowed \(range.lowerBound) to \(range.upperBound)") }
        return i
    }

    func string(_ key: String) throws -> String? {
        known.append(key)
        guard let value = table?[key] else { return nil }
        if let s = value.string { return s }
        if let d = value.date { return String(format4(d.year)) + "-" + two(d.month) + "-" + two(d.day) }
        throw ConfigError(file: file, key: qualified(key), message: "must be text in quotes")
    }

    func choice<E: RawRepresentable & CaseIterable>(_ key: String, _ current: E) throws -> E where E.RawValue == String {
        guard let s = try string(key) else { return current }
        guard let e = E(rawValue: s) else {
            throw ConfigError(file: file, key: qualified(key), message: "is \"\(s)\"; allowed \(E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
        }
        return e
    }

    /// A string or an array of strings (input paths).
    func strings(_ key: String) throws -> [String]? {
        known.append(key)
        guard let value = table?[key] else { return nil }
        if let s = value.string { return [s] }
        if let a = value.array {
            var out: [String] = []
            for item in a {
                guard let s = item.string else { throw ConfigError(file: file, key: qualified(key), message: "must be text or a list of texts") }
                out.append(s)
            }
            return out
        }
        throw ConfigError(file: file, key: qualified(key), message: "must be text or a list of texts")
    }

    func doubles(_ key: String, count: Int, range: ClosedRange<Double>) throws -> [Double]? {
        known.append(key)
        guard let value = table?[key] else { return nil }
        guard let a = value.array, a.count == count else {
            throw ConfigError(file: file, key: qualified(key), message: "must be a list of \(count) numbers")
        }
        var out: [Double] = []
        for item in a {
            guard let d = ConfigReader.number(item), range.contains(d) else {
                throw ConfigError(file: file, key: qualified(key), message: "every value must be a number, allowed \(describe(range))")
            }
            out.append(d)
        }
        return out
    }

    /// Arrays of tables (`[[rfm.segments]]`), each read by its own reader.
    func tables(_ key: String) throws -> [ConfigReader]? {
        known.append(key)
        guard let value = table?[key] else { return nil }
        guard let a = value.array else { throw ConfigError(file: file, key: qualified(key), message: "must be a list of tables ([[\(qualified(key))]])") }
        var out: [ConfigReader] = []
        for (i, item) in a.enumerated() {
            guard let t = item.table else { throw ConfigError(file: file, key: qualified(key), message: "item \(i + 1) must be a table") }
            let child = ConfigReader(file: file, path: "\(qualified(key))[\(i + 1)]", table: t)
            children.append(child)
            out.append(child)
        }
        return out
    }

    func intRange(_ key: String, within bounds: ClosedRange<Int>) throws -> ClosedRange<Int> {
        known.append(key)
        guard let value = table?[key] else { throw ConfigError(file: file, key: qualified(key), message: "is missing; give [low, high] or a single score") }
        if let i = value.int, bounds.contains(i) { return i...i }
        if let a = value.array, a.count == 2, let lo = a[0].int, let hi = a[1].int, lo <= hi, bounds.contains(lo), bounds.contains(hi) {
            return lo...hi
        }
        throw ConfigError(file: file, key: qualified(key), message: "must be a score or [low, high] with \(bounds.lowerBound) ≤ low ≤ high ≤ \(bounds.upperBound)")
    }

    /// Throws for the first key of this table (or a child) that nothing asked for.
    func checkUnknownKeys() throws {
        if let table {
            for key in table.keys.sorted() where !known.contains(key) {
                throw unknown(key, in: path, known: known)
            }
        }
        for child in children { try child.checkUnknownKeys() }
    }

    private func unknown(_ key: String, in path: String, known: [String]) -> ConfigError {
        let name = path.isEmpty ? key : path + "." + key
        let closest = known.min { editDistance($0, key) < editDistance($1, key) }
        var message = "unknown key"
        if let closest, editDistance(closest, key) <= max(3, key.count / 2) {
            message += "; did you mean \"\(closest)\"?"
        } else if !known.isEmpty {
            message += "; known keys here: \(Array(Set(known)).sorted().joined(separator: ", "))"
        }
        return ConfigError(file: file, key: name, message: message)
    }

    private func describe(_ r: ClosedRange<Double>) -> String {
        if r.upperBound == .infinity { return "\(r.lowerBound) or more" }
        return "\(r.lowerBound) to \(r.upperBound)"
    }
}

private func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
private func format4(_ v: Int) -> String { String(repeating: "0", count: max(0, 4 - String(v).count)) + String(v) }
