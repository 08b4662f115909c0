import TierwiseAnalytics

/// The transaction ids seen so far, to reject repeats (a file exported twice, an overlap
/// between two nightly files).
///
/// Ids of the common shape "prefix + digits" (T0000001234) are kept as bits in pages of a
/// bitmap per (prefix, digit count): a bank's sequence numbers are dense, so ten million of
/// them take about 1.3 MB instead of the ~160 MB a hash set of strings would. A family whose
/// numbers turn out sparse (random ids) moves to hashing. Any other id is kept as a 64-bit
/// hash; two different such ids share a hash with probability about n²/2⁶⁵ (3 × 10⁻⁶ for ten
/// million ids), and then the second is reported as a duplicate: it lands in rejects.csv,
/// never silently lost.
struct TxnIdSet {
    /// A family: the prefix (at most 16 bytes, packed so that comparing it is a few loads)
    /// and the digit count.
    private struct FamilyKey: Hashable {
        var prefix: PackedBytes
        var digits: Int
    }

    private struct Family {
        var key: FamilyKey
        /// Page number → where the page's words start in `words`.
        var pages: [Int: Int] = [:]
        var count = 0
        var hashedMode = false
    }

    private static let pageBits = 1 << 15
    private static let wordsPerPage = pageBits / 64
    private var familyIndex: [FamilyKey: Int] = [:]
    private var families: [Family] = []
    /// The pages of every family, one after another. A family moved to hashing leaves its
    /// pages here unused; that happens at most once per family.
    private var words: [UInt64] = []
    private var hashed = Set<UInt64>()
    private(set) var count = 0
    /// The family of the previous id: consecutive ids nearly always share it, so most rows
    /// skip hashing the key.
    private var lastFamily = -1
    private var lastKey: FamilyKey? = nil
    /// The page of the previous id and where it starts in `words`: sequence numbers come in
    /// order, so most rows skip the page lookup too (it was a third of the set's time).
    private var lastPage = -1
    private var lastPageStart = 0
    /// The previous id's length and prefix bytes, when its family keeps bits: an id of the
    /// same length whose prefix bytes are the same and whose other bytes are digits is of the
    /// same family, so most rows parse their number in one pass and skip finding the family
    /// (`insert` checks the one case where that would not hold). The prefix is in `lastKey`
    /// too, packed; comparing these bytes one by one was cheaper than packing each id's
    /// prefix to compare (5.1–5.4 % of an RFM-only run's samples for the sequencer against
    /// 4.5–5.2 %, as short prefixes such as "T" are the common case).
    private var lastLength = -1
    private var lastPrefix: [UInt8] = []

    /// Inserts the id; false when it was already there.
    mutating func insert(_ id: UnsafeRawBufferPointer) -> Bool {
        let n = id.count
        guard n > 0, let bytes = id.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return insertHashed(id) }
        if n == lastLength, let number = numberInLastFamily(bytes, n) { return insert(number: number, family: lastFamily) }
        var digits = 0
        while digits < n && digits < 18 && bytes[n - 1 - digits] &- 48 <= 9 { digits += 1 }
        let prefixLength = n - digits
        guard digits > 0 && prefixLength <= 16 else { return insertHashed(id) }
        let key = FamilyKey(prefix: PackedBytes(UnsafeRawBufferPointer(start: bytes, count: prefixLength))!, digits: digits)
        let f: Int
        if key == lastKey {
            f = lastFamily
        } else {
            if let existing = familyIndex[key] {
                f = existing
            } else {
                f = families.count
                families.append(Family(key: key))
                familyIndex[key] = f
            }
            lastFamily = f
            lastKey = key
            lastPage = -1
        }
        if families[f].hashedMode {
            lastLength = -1
            return insertHashed(id)
        }
        // At most 18 digits: below 10^18, so the arithmetic cannot overflow and needs no checks.
        var number = 0
        for i in prefixLength..<n { number = number &* 10 &+ Int(bytes[i] &- 48) }
        lastLength = n
        let prefix = UnsafeBufferPointer(start: bytes, count: prefixLength)
        if !lastPrefix.elementsEqual(prefix) { lastPrefix = Array(prefix) }
        return insert(number: number, family: f)
    }

    /// The number of an id of `n` bytes, the previous id's length, when it is of the previous
    /// id's family; else nil. `insert` counts digits from the end up to the first byte that is
    /// not one, or up to 18. An id of the same length whose prefix bytes are the previous id's
    /// and whose other bytes are all digits therefore has the same prefix and digit count:
    /// either the count stopped at 18 for both, or it stopped at the prefix's last byte, which
    /// is the same byte and was not a digit for the previous id.
    @inline(__always)
    private func numberInLastFamily(_ bytes: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        let p = lastPrefix.count
        var number = 0
        for i in p..<n {
            let d = bytes[i] &- 48
            if d > 9 { return nil }
            number = number &* 10 &+ Int(d)
        }
        for i in 0..<p where bytes[i] != lastPrefix[i] { return nil }
        return number
    }

    /// Sets the bit of `number` in family `f`'s pages; false when it was already set.
    private mutating func insert(number: Int, family f: Int) -> Bool {
        let page = number / TxnIdSet.pageBits
        let bit = number % TxnIdSet.pageBits
        let mask = UInt64(1) << UInt64(bit & 63)
        var newPage = false
        if page != lastPage {
            if let start = families[f].pages[page] {
                lastPageStart = start
            } else {
                lastPageStart = words.count
                words.append(contentsOf: repeatElement(0, count: TxnIdSet.wordsPerPage))
                families[f].pages[page] = lastPageStart
                newPage = true
            }
            lastPage = page
        }
        let w = lastPageStart + bit >> 6
        if words[w] & mask != 0 { return false }
        words[w] |= mask
        families[f].count += 1
        count += 1
        // Sparse numbers: a 4 KB page per handful of ids costs more than hashing them. Only a
        // new page can make this true, as the count only grows between pages.
        if newPage {
            let pages = families[f].pages.count
            if pages > 64 && pages * TxnIdSet.wordsPerPage * 8 > families[f].count * 64 { moveToHashing(f) }
        }
        return true
    }

    private mutating func insertHashed(_ id: UnsafeRawBufferPointer) -> Bool {
        let inserted = hashed.insert(TxnIdSet.fingerprint(id)).inserted
        if inserted { count += 1 }
        return inserted
    }

    private static func fingerprint(_ id: UnsafeRawBufferPointer) -> UInt64 {
        let length: UInt64 = UInt64(id.count) &* UInt64(0x9E37_79B9_7F4A_7C15)
        return IdInterner.hash(id) ^ length
    }

    private mutating func moveToHashing(_ f: Int) {
        let family = families[f]
        let prefix = family.key.prefix.bytes
        for (page, start) in family.pages {
            for (w, word) in words[start..<start + TxnIdSet.wordsPerPage].enumerated() where word != 0 {
                var bits = word
                while bits != 0 {
                    let number = page * TxnIdSet.pageBits + w * 64 + bits.trailingZeroBitCount
                    bits &= bits - 1
                    var text = String(number)
                    text = String(repeating: "0", count: family.key.digits - text.count) + text
                    let id = prefix + Array(text.utf8)
                    _ = id.withUnsafeBytes { hashed.insert(TxnIdSet.fingerprint($0)) }
                }
            }
        }
        families[f].pages = [:]
        families[f].hashedMode = true
        lastLength = -1
    }
}
