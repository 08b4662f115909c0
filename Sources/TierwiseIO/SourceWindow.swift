/// The compressed bytes a decoder has read from its source and not yet consumed. Both
/// decoders refill it the same way and need the same facts at the end of the source: was
/// anything read at all, and is there input left.
struct SourceWindow {
    var bytes: [UInt8]
    var position = 0
    var end = 0
    private(set) var sourceDone = false
    private(set) var sawAnyInput = false

    init(capacity: Int) { bytes = [UInt8](repeating: 0, count: capacity) }

    /// Reads the next block when everything read so far is consumed.
    mutating func refillIfEmpty(from source: ByteStream) throws {
        guard position == end && !sourceDone else { return }
        let n = try bytes.withUnsafeMutableBytes { try source.read(into: $0) }
        position = 0
        end = n
        if n == 0 { sourceDone = true } else { sawAnyInput = true }
    }

    /// True when the source has ended and every byte was consumed.
    var exhausted: Bool { position == end && sourceDone }
}
