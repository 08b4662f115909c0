import TierwiseIO

/// Why a row could not be used. The codes are part of the output contract (rejects.csv).
public enum RejectReason: String, Sendable, CaseIterable, Codable {
    case fieldCount = "FIELD_COUNT"
    case missingField = "MISSING_FIELD"
    case badDate = "BAD_DATE"
    case badAmount = "BAD_AMOUNT"
    case amountOverflow = "AMOUNT_OVERFLOW"
    case unknownCurrency = "UNKNOWN_CURRENCY"
    case badType = "BAD_TYPE"
    case badChannel = "BAD_CHANNEL"
    case badProduct = "BAD_PRODUCT"
    case badRiskRating = "BAD_RISK_RATING"
    case badRate = "BAD_RATE"
    case unknownAccount = "UNKNOWN_ACCOUNT"
    case unknownCustomer = "UNKNOWN_CUSTOMER"
    case customerMismatch = "CUSTOMER_MISMATCH"
    case duplicateTxn = "DUPLICATE_TXN"
    case duplicateAccount = "DUPLICATE_ACCOUNT"
    case duplicateCustomer = "DUPLICATE_CUSTOMER"
    case badQuoting = "BAD_QUOTING"
    case unterminatedQuote = "UNTERMINATED_QUOTE"
    case nulByte = "NUL_BYTE"
}

/// One rejected row, as it goes to rejects.csv.
public struct Reject: Sendable {
    public var line: Int
    public var reason: RejectReason
    /// The contract column at fault, when there is one.
    public var field: String
    /// What was expected, in words; never the value itself (that is in the record).
    public var detail: String
    public var record: [UInt8]
}

/// Writes rejects.csv as rows are found, so rejects never pile up in memory.
final class RejectWriter {
    private let writer: CSVWriter
    private(set) var count = 0
    let path: String

    static let header = ["input", "file", "line", "reason", "field", "detail", "record"]

    init(path: String, mode: UInt32) throws {
        self.path = path
        writer = try CSVWriter(sink: try FileSink(path: path, mode: mode), path: path, header: RejectWriter.header)
    }

    func write(input: String, file: String, _ r: Reject) throws {
        writer.text(input)
        writer.text(file)
        writer.number(String(r.line))
        writer.text(r.reason.rawValue)
        writer.text(r.field)
        writer.text(r.detail)
        writer.text(String(decoding: r.record, as: UTF8.self))
        try writer.endRow()
        count += 1
    }

    /// Flushes, and has `sync` make the file durable in the background.
    func finish(syncingOn sync: BackgroundSync) throws -> String { try writer.finish(syncingOn: sync) }
}
