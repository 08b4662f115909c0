import Testing
import TierwiseIO

/// The sliced move gives back each moved slice's pages: every value must still arrive
/// whole, across slice boundaries that fall inside pages, and values that own memory
/// (strings on the heap) must keep it.
@Test func movingInSlicesKeepsEveryValue() {
    let count = 3_000_017  // 24 MB of Int64: six slices, the last one partial
    let source = UnsafeMutablePointer<Int64>.allocate(capacity: count)
    let target = UnsafeMutablePointer<Int64>.allocate(capacity: count)
    defer { source.deallocate(); target.deallocate() }
    for i in 0..<count { (source + i).initialize(to: Int64(i) &* 0x9E37_79B9 ^ 0x5555) }
    ProcessMemory.move(from: source, to: target, count: count)
    var wrong = 0
    for i in 0..<count where target[i] != Int64(i) &* 0x9E37_79B9 ^ 0x5555 { wrong += 1 }
    #expect(wrong == 0)
}

@Test func movingInSlicesKeepsValuesThatOwnMemory() {
    let count = 700_001  // 16-byte strings: three slices
    let source = UnsafeMutablePointer<String>.allocate(capacity: count)
    let target = UnsafeMutablePointer<String>.allocate(capacity: count)
    defer { source.deallocate(); target.deallocate() }
    func value(_ i: Int) -> String { i % 997 == 0 ? "a string long enough to live on the heap \(i)" : "s\(i)" }
    for i in 0..<count { (source + i).initialize(to: value(i)) }
    ProcessMemory.move(from: source, to: target, count: count)
    var wrong = 0
    for i in 0..<count where target[i] != value(i) { wrong += 1 }
    #expect(wrong == 0)
    target.deinitialize(count: count)
}
