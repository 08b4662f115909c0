/// How a CSV input is cut into records and fields, and the bounds that keep a hostile
/// file from using unbounded memory.
public struct CSVOptions: Sendable, Equatable {
    /// Field separator: `,` `;` `|` or tab.
    public var delimiter: UInt8 = UInt8(ascii: ",")
    /// A record longer than this stops the run: it is almost always an unterminated quote
    /// that swallowed the rest of the file.
    public var maxRecordBytes: Int = 1 << 20
    /// A record with more fields than this is rejected (`FIELD_COUNT`) without storing them.
    public var maxFields: Int = 512
    /// Complete records are handed on in chunks of about this many bytes.
    public var chunkBytes: Int = 1 << 20
    /// Bytes asked of the source per read.
    public var readBlockBytes: Int = 1 << 16

    public init(delimiter: UInt8 = UInt8(ascii: ","), maxRecordBytes: Int = 1 << 20, maxFields: Int = 512,
                chunkBytes: Int = 1 << 20, readBlockBytes: Int = 1 << 16) {
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
        self.maxFields = maxFields
        self.chunkBytes = chunkBytes
        self.readBlockBytes = readBlockBytes
    }
}
