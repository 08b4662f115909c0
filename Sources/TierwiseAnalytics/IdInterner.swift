/// Maps id strings (customer, account) to dense integer indexes, hashing raw bytes so that
/// looking up an id from a CSV field allocates nothing.
///
/// Open addressing with linear probing over one byte arena. Indexes are given in order of
/// first insertion; callers that need a stable order sort by `id(_:)` afterwards.
///
/// Bank ids are mostly a fixed prefix and a fixed number of digits (C00012345). Ids of the
/// first such shape seen are also kept in a dense array indexed by their number, so looking
/// one up is one array access instead of the three or four cache misses of a hash probe
/// over half a million customers. Any other id uses the hash table alone.
public struct IdInterner: Sendable {
    /// The dominant id shape: prefix bytes and digit count.
    private var numericPrefix: [UInt8] = []
    private var numericWidth = 0
    /// number → index + 1 for ids of that shape with number < numeric.count; 0 = absent.
    private var numeric: [Int32] = []
    /// Ids of that shape whose number was too large for the array when they came.
    private var numericOverflow: [Int32] = []
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
        if let number = numericKey(bytes), number < numeric.count {
            let entry = numeric[number]
            return entry == 0 ? nil : entry - 1
        }
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
        if let number = numericKey(bytes), number < numeric.count, numeric[number] != 0 { return numeric[number] - 1 }
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
        indexNumeric(bytes, Int32(index))
        return Int32(index)
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

    /// Records a new id in the dense array when it has the dominant shape (set by the first
    /// id that is a prefix of at most 8 bytes and 1 to 15 digits).
    private mutating func indexNumeric(_ bytes: UnsafeRawBufferPointer, _ index: Int32) {
        if numericWidth == 0 {
            var digits = 0
            while digits < bytes.count && digits < 15, bytes[bytes.count - 1 - digits] >= 48, bytes[bytes.count - 1 - digits] <= 57 { digits += 1 }
            guard digits > 0, bytes.count - digits <= 8 else { return }
            numericPrefix = Array(bytes[0..<(bytes.count - digits)])
            numericWidth = digits
        }
        guard let number = numericKey(bytes) else { return }
        if number >= numeric.count {
            // Grow while the array stays within a few entries per id; else keep the id aside.
            let wanted = max(number + 1, numeric.count * 2, 1024)
            guard wanted <= 8 * (hashes.count + 4096) else {
                numericOverflow.append(index)
                return
            }
            numeric.append(contentsOf: repeatElement(0, count: wanted - numeric.count))
            // Ids kept aside earlier may fit now: the array must hold every id of the shape below its end.
            var still: [Int32] = []
            for k in numericOverflow {
                let start = offsets[Int(k)], end = offsets[Int(k) + 1]
                let n = arena.withUnsafeBytes { numericKey(UnsafeRawBufferPointer(rebasing: $0[start..<end]))! }
                if n < numeric.count { numeric[n] = k + 1 } else { still.append(k) }
            }
            numericOverflow = still
        }
        numeric[number] = index + 1
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
