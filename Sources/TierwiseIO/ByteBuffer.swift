/// Bytes appended piece after piece into memory it owns, growing by doubling: for the hot
/// loops that build bytes a few at a time (CSVWriter's cells, the transactions validator's
/// ids). `Array.append` checked uniqueness and capacity for every piece, a call each, which
/// cost more than the bytes; here an append is one compare and a copy.
public struct ByteBuffer: ~Copyable {
    @usableFromInline var base: UnsafeMutableRawPointer
    @usableFromInline var capacity: Int
    @usableFromInline var used = 0

    /// How many bytes it holds.
    @inlinable public var count: Int { used }

    public init(capacity: Int) {
        self.capacity = max(16, capacity)
        base = .allocate(byteCount: self.capacity, alignment: 8)
    }

    deinit { base.deallocate() }

    /// The bytes held, valid until the buffer next changes.
    @inlinable public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: used) }

    /// Makes room for `n` more bytes.
    @inlinable @inline(__always) public mutating func reserve(_ n: Int) {
        if used + n > capacity { grow(to: used + n) }
    }

    @usableFromInline mutating func grow(to needed: Int) {
        capacity = max(needed, capacity * 2)
        let moved = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
        moved.copyMemory(from: base, byteCount: used)
        base.deallocate()
        base = moved
    }

    @inlinable @inline(__always) public mutating func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: used, as: UInt8.self)
        used += 1
    }

    /// Up to 16 bytes (an id, a code) are copied here as two words that overlap, never
    /// reading or writing past either end: a call to `memmove` for them cost more than the
    /// copy, and the validator appends three ids a row.
    @inlinable @inline(__always) public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let from = bytes.baseAddress, bytes.count > 0 else { return }
        let n = bytes.count
        reserve(n)
        let to = base + used
        if n >= 8 && n <= 16 {
            let head = from.loadUnaligned(as: UInt64.self), tail = from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            to.storeBytes(of: head, as: UInt64.self)
            to.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
        } else {
            to.copyMemory(from: from, byteCount: n)
        }
        used += n
    }

    /// Appends `n` bytes that `write` puts at the pointer it is given, in any order.
    @inlinable @inline(__always) public mutating func append(count n: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Void) {
        reserve(n)
        write((base + used).assumingMemoryBound(to: UInt8.self))
        used += n
    }

    /// Empties the buffer, keeping its memory.
    public mutating func removeAll() { used = 0 }
}
