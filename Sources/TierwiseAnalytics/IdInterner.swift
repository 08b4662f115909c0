/// Maps id strings (customer, account) to dense integer indexes, hashing raw bytes so that
/// looking up an id from a CSV field allocates nothing.
///
/// Open addressing with linear probing over one byte arena. Indexes are given in order of
/// first insertion; callers that need a stable order sort by `id(_:)` afterwards.
///
/// Bank ids are mostly a fixed prefix and a fixed number of digits (C00012345). Ids of the
/// first such shape seen are kept only as their number, in a dense array indexed by it:
/// looking one up is one array access instead of the three or four cache misses of a hash
/// probe over half a million customers, and one takes about 12 bytes instead of the 45 of
/// arena, offset, hash and slots. Any other id uses the hash table.
public struct IdInterner: Sendable {
    /// The dominant id shape: prefix bytes and digit count.
    private var numericPrefix: [UInt8] = []
    private var numericWidth = 0
    /// number → index + 1 for ids of that shape with number < numeric.count; 0 = absent.
    @usableFromInline private(set) var numeric: [Int32] = []
    /// Per index: the number of an id of the dominant shape (≥ 0), which is all it takes to
    /// write the id back; or ~k for the k-th id kept in the arena.
    private var entries: [Int64] = []
    /// Ids of any other shape, and of the dominant shape but too large for the dense array
    /// when they came: bytes, offsets and hashes by arena position k.
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Whether an id of the dominant shape was ever kept in the arena (its number too far
    /// ahead when it came): until then, a number the dense array covers but does not hold
    /// is an id never seen, and needs no hash probe.
    @usableFromInline private(set) var shapedInArena = false
    /// Slot → index + 1 of an id kept in the arena; 0 is empty.
    private var slots: [Int32]
    private var mask: Int

    public init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    public var count: Int { entries.count }

    /// A 64-bit hash of the bytes, eight at a time (little-endian words, multiply-xorshift
    /// mixing, the length folded in, a final avalanche). Stable across platforms and processes,
    /// unlike Swift's seeded `Hasher`, so shard assignment can use it too.
    @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        if let base = bytes.baseAddress {
            while i + 8 <= n {
                let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                h = (h ^ (w &* 0xff51_afd7_ed55_8ccd)) &* 0xc4ce_b9fe_1a85_ec53
                h ^= h >> 29
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << shift
                shift += 8
                i += 1
            }
            h = (h ^ (tail &* 0xff51_afd7_ed55_8ccd)) &* 0xc4ce_b9fe_1a85_ec53
        }
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }

    /// The index of `bytes`, or nil when it was never inserted.
    @inline(__always)
    public func find(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        find(bytes, denseKey: denseKey(bytes))
    }

    /// Where `bytes` would sit in the dense array, or −1 when it is not an id of the dominant
    /// shape the array covers. With `find(_:denseKey:)` it splits a lookup in two, so that a
    /// caller with many ids can work out every key first and then do the lookups, whose
    /// cache misses overlap when nothing else stands between them.
    @inline(__always)
    public func denseKey(_ bytes: UnsafeRawBufferPointer) -> Int {
        if let number = numericKey(bytes), number < numeric.count { return number }
        return -1
    }

    /// How many dense keys there are: `denseKey` gives keys below this.
    public var denseKeyCount: Int { numeric.count }

    /// The dense key of the id with index `index`, or −1 when that id is not in the dense
    /// array. Equal dense keys are equal ids: `denseKey(bytes) == denseKey(ofIndex: i)` (both
    /// ≥ 0) exactly when `bytes` is id `i`.
    public func denseKey(ofIndex index: Int32) -> Int {
        let entry = entries[Int(index)]
        return entry >= 0 ? Int(entry) : -1
    }

    /// `find(bytes)` for a key `denseKey(bytes)` gave.
    @inlinable @inline(__always)
    public func find(_ bytes: UnsafeRawBufferPointer, denseKey key: Int) -> Int32? {
        if key >= 0 {
            let entry = numeric[key]
            if entry != 0 { return entry - 1 }
            if !shapedInArena { return nil }
        }
        return findInArena(bytes)
    }

    @usableFromInline
    func findInArena(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        probe(bytes, IdInterner.hash(bytes)).0
    }

    /// The index of `bytes`, inserting it when new.
    @inline(__always)
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        if let number = numericKey(bytes), number < numeric.count {
            if numeric[number] != 0 { return numeric[number] - 1 }
            if !shapedInArena {
                let index = Int32(entries.count)
                entries.append(Int64(number))
                numeric[number] = index + 1
                return index
            }
        }
        let h = IdInterner.hash(bytes)
        let (found, slot) = probe(bytes, h)
        if let found { return found }
        let index = Int32(entries.count)
        if let number = numericIndex(bytes) {
            entries.append(Int64(number))
            numeric[number] = index + 1
            return index
        }
        if numericKey(bytes) != nil { shapedInArena = true }
        entries.append(~Int64(hashes.count))
        hashes.append(h)
        arena.append(contentsOf: bytes)
        offsets.append(arena.count)
        slots[slot] = index + 1
        if hashes.count * 2 > slots.count { grow() }
        return index
    }

    /// The index of `bytes` among the ids kept in the arena, or nil and the empty slot where it would go.
    @inline(__always)
    private func probe(_ bytes: UnsafeRawBufferPointer, _ h: UInt64) -> (Int32?, Int) {
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return (nil, slot) }
            let k = Int(~entries[Int(entry - 1)])
            if hashes[k] == h && equals(k, bytes) { return (entry - 1, slot) }
            slot = (slot + 1) & mask
        }
    }

    /// The number of an id of the dominant shape, or nil.
    @inline(__always)
    private func numericKey(_ bytes: UnsafeRawBufferPointer) -> Int? {
        let p = numericPrefix.count
        guard numericWidth > 0, bytes.count == p + numericWidth else { return nil }
        var number = 0
        for i in p..<bytes.count {
            let c = bytes[i]
            guard c >= 48 && c <= 57 else { return nil }
            number = number &* 10 &+ Int(c - 48)
        }
        for i in 0..<p where bytes[i] != numericPrefix[i] { return nil }
        return number
    }

    /// The number of a new id that goes in the dense array, growing the array when that
    /// keeps it within a few entries per id; nil for an id kept in the arena. The dominant
    /// shape is set by the first id that is a prefix of at most 8 bytes and 1 to 15 digits.
    private mutating func numericIndex(_ bytes: UnsafeRawBufferPointer) -> Int? {
        if numericWidth == 0 {
            var digits = 0
            while digits < bytes.count && digits < 15, bytes[bytes.count - 1 - digits] >= 48, bytes[bytes.count - 1 - digits] <= 57 { digits += 1 }
            guard digits > 0, bytes.count - digits <= 8 else { return nil }
            numericPrefix = Array(bytes[0..<(bytes.count - digits)])
            numericWidth = digits
        }
        guard let number = numericKey(bytes) else { return nil }
        if number >= numeric.count {
            let wanted = max(number + 1, numeric.count * 2, 1024)
            // Sparse numbers would make the array larger than the arena: keep the id there.
            guard wanted <= 8 * (entries.count + 4096) else { return nil }
            numeric.append(contentsOf: repeatElement(0, count: wanted - numeric.count))
        }
        return number
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
        let entry = entries[Int(index)]
        if entry < 0 {
            let k = Int(~entry)
            return String(decoding: arena[offsets[k]..<offsets[k + 1]], as: UTF8.self)
        }
        let p = numericPrefix.count
        return String(unsafeUninitializedCapacity: p + numericWidth) { out in
            for i in 0..<p { out[i] = numericPrefix[i] }
            var number = entry
            for i in stride(from: p + numericWidth - 1, through: p, by: -1) {
                out[i] = UInt8(48 + number % 10)
                number /= 10
            }
            return p + numericWidth
        }
    }

    @inline(__always)
    private func equals(_ k: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let start = offsets[k], end = offsets[k + 1]
        guard end - start == bytes.count else { return false }
        return arena.withUnsafeBytes { a in
            bytes.count == 0 || memcmpBytes(a.baseAddress! + start, bytes.baseAddress!, bytes.count)
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        for (index, entry) in entries.enumerated() where entry < 0 {
            var slot = Int(truncatingIfNeeded: hashes[Int(~entry)]) & mask
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
