/// Maps id strings (customer, account) to dense integer indexes, hashing raw bytes so that
/// looking up an id from a CSV field allocates nothing.
///
/// Open addressing with linear probing over one byte arena. Indexes are given in order of
/// first insertion; callers that need a stable order sort by `id(_:)` afterwards.
public struct IdInterner: Sendable {
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Slot → index + 1; 0 is empty.
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    public var count: Int { hashes.count }

    /// FNV-1a folded with a final avalanche; stable across platforms and processes
    /// (unlike Swift's seeded `Hasher`), so shard assignment can use it too.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }

    /// The index of `bytes`, or nil when it was never inserted.
    @inline(__always)
    public func find(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let h = IdInterner.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return nil }
            let index = Int(entry - 1)
            if hashes[index] == h && equals(index, bytes) { return Int32(index) }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `bytes`, inserting it when new.
    @inline(__always)
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let h = IdInterner.hash(bytes)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let index = Int(entry - 1)
            if hashes[index] == h && equals(index, bytes) { return Int32(index) }
            slot = (slot + 1) & mask
        }
        let index = hashes.count
        hashes.append(h)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        slots[slot] = Int32(index + 1)
        if hashes.count * 2 > slots.count { grow() }
        return Int32(index)
    }

    public mutating func intern(_ text: String) -> Int32 {
        var text = text
        return text.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    public func find(_ text: String) -> Int32? {
        var text = text
        return text.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    public func id(_ index: Int32) -> String {
        let i = Int(index)
        return String(decoding: arena[offsets[i]..<offsets[i + 1]], as: UTF8.self)
    }

    public func hashValue(of index: Int32) -> UInt64 { hashes[Int(index)] }

    @inline(__always)
    private func equals(_ index: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[index], end = offsets[index + 1]
        guard end - start == bytes.count else { return false }
        return arena.withUnsafeBytes { a in
            bytes.count == 0 || memcmpBytes(a.baseAddress! + start, bytes.baseAddress!, bytes.count)
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for index in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[index]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index + 1)
        }
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i + 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}
