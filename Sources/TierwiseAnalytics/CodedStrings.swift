/// A column of strings with few distinct values (managers, segments, branches): a code per
/// row and each distinct value once. A `String` takes 16 bytes per row; a code takes 4, and
/// half a million customers share a few hundred managers.
///
/// Reads like `[String]` (`column[i]`, `for s in column`), so code that indexes the column
/// does not care how it is stored.
public struct CodedStrings: RandomAccessCollection, Sendable, Equatable {
    /// Per row, the index of its value in `values`.
    public private(set) var codes: [Int32] = []
    /// The distinct values, in order of first appearance.
    public private(set) var values: [String] = []
    /// Value → code, so `append` interns in O(1). Keyed by bytes (an `IdInterner`, whose
    /// indexes are given in first-insertion order, as the codes are): a dump's row is coded
    /// from its field's bytes, with no `String` made unless the value is new.
    private var codeOf = IdInterner(capacity: 256)
    /// The code of "", which every customer without a value takes: no hashing for it.
    private var emptyCode: Int32 = -1

    public init() {}

    public init(_ strings: [String]) {
        codes.reserveCapacity(strings.count)
        for s in strings { append(s) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { codes.count }

    @inline(__always)
    public subscript(i: Int) -> String { values[Int(codes[i])] }

    public mutating func append(_ s: String) { codes.append(code(s)) }

    /// Appends a row holding "".
    @inline(__always)
    public mutating func appendEmpty() { codes.append(emptyCode >= 0 ? emptyCode : code("")) }

    /// Replaces row i. A value no row uses any more stays among `values`.
    public mutating func set(_ i: Int, _ s: String) { codes[i] = code(s) }

    /// Replaces row i with the value spelled by `bytes` (UTF-8); nil or empty is "".
    public mutating func set(_ i: Int, bytes: UnsafeRawBufferPointer?) { codes[i] = code(bytes ?? UnsafeRawBufferPointer(start: nil, count: 0)) }

    /// The code of `s`, adding it to the values when new.
    private mutating func code(_ s: String) -> Int32 {
        if s.isEmpty, emptyCode >= 0 { return emptyCode }
        var s = s
        return s.withUTF8 { code(UnsafeRawBufferPointer($0)) }
    }

    /// The code of the value spelled by `bytes`, adding it to the values when new.
    @inline(__always)
    private mutating func code(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        if bytes.isEmpty, emptyCode >= 0 { return emptyCode }
        let code = codeOf.intern(bytes)
        if Int(code) == values.count {
            values.append(String(decoding: bytes, as: UTF8.self))
            if bytes.isEmpty { emptyCode = code }
        }
        return code
    }

    /// The rows in another order (row k is row `order[k]` of this column). The codes are
    /// renumbered so the values stay in order of first appearance; only the distinct values
    /// are hashed again, not every row.
    public func reordered(_ order: [Int]) -> CodedStrings {
        var out = CodedStrings()
        var renumbered = [Int32](repeating: -1, count: values.count)
        out.codes.reserveCapacity(order.count)
        for i in order {
            let old = Int(codes[i])
            if renumbered[old] < 0 { renumbered[old] = out.code(values[old]) }
            out.codes.append(renumbered[old])
        }
        return out
    }

    /// Equal when the rows are: the codes depend on the order values first appeared in.
    public static func == (a: CodedStrings, b: CodedStrings) -> Bool { a.elementsEqual(b) }
}
