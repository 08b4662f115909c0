import Foundation
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

/// The flags (`VmFlags` of /proc/self/smaps) of the mapping that holds `address`.
private func mappingFlags(of address: UnsafeRawPointer) throws -> [Substring] {
    // Read to the end: a /proc file reports a size of 0, which `String(contentsOfFile:)` believes.
    let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
    defer { try? handle.close() }
    let smaps = String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    let at = UInt(bitPattern: address)
    var inside = false
    for line in smaps.split(separator: "\n") {
        if let dash = line.firstIndex(of: "-"), let space = line.firstIndex(of: " "), dash < space,
           let start = UInt(line[..<dash], radix: 16), let end = UInt(line[line.index(after: dash)..<space], radix: 16) {
            inside = start <= at && at < end
        } else if inside && line.hasPrefix("VmFlags:") {
            return line.dropFirst("VmFlags:".count).split(separator: " ")
        }
    }
    return []
}

/// The first 2 MiB boundary inside `buffer`, which must span at least two of them.
private func hugeBoundary(in buffer: UnsafeRawBufferPointer) -> UnsafeRawPointer {
    let huge = 2 << 20
    let base = Int(bitPattern: buffer.baseAddress!)
    let boundary = (base + huge - 1) / huge * huge
    precondition(boundary + huge <= base + buffer.count)
    return UnsafeRawPointer(bitPattern: boundary)!
}

/// Where the kernel has transparent huge pages at all; elsewhere the advice is a no-op.
private let hugePagesAvailable = FileManager.default.fileExists(atPath: "/sys/kernel/mm/transparent_hugepage/enabled")

/// The fold's tables are asked to be huge pages before they are first written ("hg" is
/// MADV_HUGEPAGE's flag), and still hold every value.
@Test func arraysOnHugePagesAreAdvisedAndWhole() throws {
    let table = ProcessMemory.arrayOnHugePages(repeating: Int64(-7), count: 1_500_000)  // 12 MB
    #expect(table.count == 1_500_000)
    #expect(table.allSatisfy { $0 == -7 })
    let flags = try table.withUnsafeBytes { try mappingFlags(of: hugeBoundary(in: $0)) }
    #expect(flags.isEmpty == false)
    if hugePagesAvailable { #expect(flags.contains("hg")) }
}

/// Ingest reserves the accounts' room while the array is still empty; an array with elements
/// must keep them.
@Test(arguments: [[], [11, 12, 13]] as [[Int64]])
func reservingOnHugePagesKeepsTheArrayAndAdvisesTheRoom(start: [Int64]) throws {
    var accounts = start
    ProcessMemory.reserveOnHugePages(&accounts, capacity: 1_500_000)
    #expect(accounts == start)
    #expect(accounts.capacity >= 1_500_000)
    let before = accounts.withUnsafeBufferPointer { $0.baseAddress! }
    for i in start.count..<1_500_000 { accounts.append(Int64(i)) }
    // Filled within the room reserved: never moved, so the advice still applies.
    #expect(accounts.withUnsafeBufferPointer { $0.baseAddress! } == before)
    #expect(Array(accounts[0..<start.count]) == start)
    #expect(accounts[start.count...].enumerated().allSatisfy { $0.element == Int64($0.offset + start.count) })
    let flags = try accounts.withUnsafeBytes { try mappingFlags(of: hugeBoundary(in: $0)) }
    #expect(flags.isEmpty == false)
    if hugePagesAvailable { #expect(flags.contains("hg")) }
}
