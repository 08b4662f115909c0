import CSysShims

/// SHA-256 (FIPS 180-4), streaming. Written here rather than pulled in as a dependency:
/// the manifest needs only this one digest, and swift-crypto would add minutes to every build.
public struct SHA256: Sendable {
    /// The two compression functions. Every input and output file is hashed for the manifest,
    /// so on x86-64 CPUs with the SHA extensions the blocks go to the SHA-NI code in CSysShims
    /// (several times the speed); the Swift loop is the portable reference and runs everywhere else.
    enum Engine: Sendable { case portable, shaNI }

    /// Whether the SHA-NI engine can run here: x86-64 and a CPU that reports SHA, SSSE3 and SSE4.1.
    static let shaNIAvailable: Bool = {
        #if arch(x86_64)
        return CSysShims_hasSHANI() != 0
        #else
        return false
        #endif
    }()

    /// Decided once per process; every `SHA256()` uses it.
    static let defaultEngine: Engine = shaNIAvailable ? .shaNI : .portable

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    private var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private var length: UInt64 = 0
    let engine: Engine

    public init() { engine = SHA256.defaultEngine }

    /// A hasher pinned to one engine, so the tests can check the two against each other.
    init(engine: Engine) {
        precondition(engine == .portable || SHA256.shaNIAvailable, "SHA-NI is not available on this CPU")
        self.engine = engine
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        length &+= UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        if blockCount > 0 {
            while i < n && blockCount < 64 { block[blockCount] = bytes[i]; blockCount += 1; i += 1 }
            if blockCount == 64 {
                block.withUnsafeBytes { compressBlocks($0.baseAddress!, count: 1) }
                blockCount = 0
            }
        }
        if i + 64 <= n {
            let blocks = (n - i) / 64
            compressBlocks(bytes.baseAddress! + i, count: blocks)
            i += blocks * 64
        }
        while i < n { block[blockCount] = bytes[i]; blockCount += 1; i += 1 }
    }

    public mutating func update<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        let array = Array(bytes)
        array.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ text: String) { update(Array(text.utf8)) }

    /// The digest as 64 lowercase hex characters.
    public mutating func finalize() -> String {
        let bitLength = length &* 8
        var pad: [UInt8] = [0x80]
        let used = (blockCount + 1) % 64
        pad += [UInt8](repeating: 0, count: used <= 56 ? 56 - used : 120 - used)
        for s in stride(from: 56, through: 0, by: -8) { pad.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(s))) }
        let savedLength = length
        pad.withUnsafeBytes { update($0) }
        length = savedLength
        let words = [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7]
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for w in words {
            for s in stride(from: 28, through: 0, by: -4) { out.append(hex[Int((w >> UInt32(s)) & 0xF)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Compresses `count` consecutive 64-byte blocks with this hasher's engine.
    private mutating func compressBlocks(_ start: UnsafeRawPointer, count: Int) {
        #if arch(x86_64)
        if engine == .shaNI {
            // A homogeneous tuple is laid out as eight contiguous UInt32, H0 first.
            withUnsafeMutablePointer(to: &h) {
                $0.withMemoryRebound(to: UInt32.self, capacity: 8) { state in
                    SHA256.k.withUnsafeBufferPointer { CSysShims_sha256Blocks(state, start, count, $0.baseAddress!) }
                }
            }
            return
        }
        #endif
        compressBlocksPortable(start, count: count)
    }

    /// The portable compression function, and the reference for the SHA-NI one. The message
    /// schedule and the round constants live in one stack buffer for the whole run of blocks.
    private mutating func compressBlocksPortable(_ start: UnsafeRawPointer, count: Int) {
        var state = h
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 128) { buffer in
            let w = buffer.baseAddress!
            let k = w + 64
            for t in 0..<64 { k[t] = SHA256.k[t] }
            for block in 0..<count {
                let p = start + block * 64
                for t in 0..<16 { w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: t * 4, as: UInt32.self)) }
                for t in 16..<64 {
                    let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
                    let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = state
                for t in 0..<64 {
                    let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[t] &+ w[t]
                    let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
                }
                state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ hh)
            }
        }
        h = state
    }

    @inline(__always) private func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
}

/// Hashes a whole file in blocks; for the manifest's input and output digests.
public func sha256(ofFile path: String) throws -> String {
    let file = try FileStream(path: path)
    var hasher = SHA256()
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
        let n = try buffer.withUnsafeMutableBytes { try file.read(into: $0) }
        if n == 0 { break }
        buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    }
    return hasher.finalize()
}
