import Testing
@testable import TierwiseIO
import TierwiseTestSupport

/// The SHA-NI engine and the portable Swift one, each against the NIST vectors and against each
/// other. The SHA-NI half is skipped, with a note saying so, on CPUs without the SHA extensions.
private let shaNIMissing: Comment = "this CPU has no SHA-NI (or is not x86-64); only the portable SHA-256 engine was tested"

private let nistVectors: [(message: String, digest: String)] = [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
]

private func digest(_ bytes: [UInt8], engine: SHA256.Engine, pieces: [Int] = []) -> String {
    var hasher = SHA256(engine: engine)
    var start = 0
    for piece in pieces where start < bytes.count {
        let end = min(bytes.count, start + piece)
        bytes[start..<end].withUnsafeBytes { hasher.update($0) }
        start = end
    }
    bytes[start...].withUnsafeBytes { hasher.update($0) }
    return hasher.finalize()
}

private func checkNIST(_ engine: SHA256.Engine) {
    for (message, expected) in nistVectors {
        #expect(digest(Array(message.utf8), engine: engine) == expected, "\(engine) \"\(message)\"")
    }
    var hasher = SHA256(engine: engine)
    let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
    for start in stride(from: 0, to: million.count, by: 9_973) {
        million[start..<min(million.count, start + 9_973)].withUnsafeBytes { hasher.update($0) }
    }
    #expect(hasher.finalize() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", "\(engine) one million a")
}

@Test func sha256PortableEngineMatchesNIST() {
    checkNIST(.portable)
}

@Test(.enabled(if: SHA256.shaNIAvailable, shaNIMissing))
func sha256SHANIEngineMatchesNIST() {
    checkNIST(.shaNI)
}

@Test func sha256DefaultEngineIsDecidedByTheCPU() {
    #expect(SHA256().engine == (SHA256.shaNIAvailable ? .shaNI : .portable))
}

/// Every length from 0 to 300 bytes (all the padding cases, one to five blocks) and a few large
/// buffers, hashed whole and split across update calls at odd places, by both engines.
@Test(.enabled(if: SHA256.shaNIAvailable, shaNIMissing))
func sha256SHANIEngineMatchesPortableEngine() {
    var random = SplitMix64(state: 0x5348_412d_4e49)
    let lengths = Array(0...300) + [1_023, 4_096 + 13, 65_537, 1_000_003]
    for length in lengths {
        let bytes = random.bytes(length)
        // Odd piece sizes, some under a block and some over, so the partial-block buffer
        // and the multi-block run both see every offset.
        let pieces = (0..<8).map { _ in Int(random.next() % 150) | 1 }
        let reference = digest(bytes, engine: .portable)
        #expect(digest(bytes, engine: .portable, pieces: pieces) == reference, "portable split, length \(length)")
        #expect(digest(bytes, engine: .shaNI) == reference, "SHA-NI whole, length \(length)")
        #expect(digest(bytes, engine: .shaNI, pieces: pieces) == reference, "SHA-NI split \(pieces), length \(length)")
    }
}
