import CSysShims

/// Starts loading the memory of `pointer`'s element into the cache, for writing, and returns
/// at once. Folding a row costs a cache miss into each of its customer's and account's
/// records; issuing the loads a few rows ahead lets the misses overlap.
///
/// Every cache line the element touches is loaded: an array's elements start 32 bytes into
/// its storage, so a 64-byte account record straddles two lines, and asking for its start
/// only left the second line to miss when the fold came to it.
@inlinable @inline(__always)
public func prefetchForWrite<T>(_ pointer: UnsafeMutablePointer<T>) {
    let start = UInt(bitPattern: pointer) & ~63
    let end = UInt(bitPattern: pointer) + UInt(MemoryLayout<T>.size)
    var line = start
    while line < end {
        CSysShims_prefetchForWrite(UnsafeRawPointer(bitPattern: line)!)
        line += 64
    }
}

/// Starts loading the cache line at `pointer` for writing. Only a hint: the address is never
/// dereferenced, so it may point anywhere.
@inlinable @inline(__always)
public func prefetchForWrite(raw pointer: UnsafeRawPointer) {
    CSysShims_prefetchForWrite(pointer)
}
