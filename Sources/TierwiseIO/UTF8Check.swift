/// UTF-8 validation with a fast path for ASCII, which is almost all of a bank's CSV.
public enum UTF8Check {
    /// The offset of the first byte that is not part of valid UTF-8, or nil when all are valid.
    public static func firstInvalid(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { b -> Int? in
            let n = b.count
            var i = 0
            while i < n {
                // Skip ASCII 32 bytes at a time, then eight.
                if i + 32 <= n {
                    let p = UnsafeRawPointer(b.baseAddress! + i)
                    let any = p.loadUnaligned(as: UInt64.self) | p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                        | p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) | p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
                    if any & 0x8080_8080_8080_8080 == 0 { i += 32; continue }
                }
                if i + 8 <= n {
                    let word = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
                }
                let c = b[i]
                if c < 0x80 { i += 1; continue }
                let len: Int
                var minValue: UInt32
                var value: UInt32
                if c & 0xE0 == 0xC0 { len = 2; value = UInt32(c & 0x1F); minValue = 0x80 }
                else if c & 0xF0 == 0xE0 { len = 3; value = UInt32(c & 0x0F); minValue = 0x800 }
                else if c & 0xF8 == 0xF0 { len = 4; value = UInt32(c & 0x07); minValue = 0x10000 }
                else { return i }
                if i + len > n { return i }
                for k in 1..<len {
                    let d = b[i + k]
                    if d & 0xC0 != 0x80 { return i }
                    value = value << 6 | UInt32(d & 0x3F)
                }
                if value < minValue || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) { return i }
                i += len
            }
            return nil
        }
    }
}
