import CSysShims

/// Starts loading the memory of `pointer`'s element into the cache, for writing, and returns
/// at once. Folding a row costs a cache miss into each of its customer's and account's
/// records; issuing the loads a few rows ahead lets the misses overlap.
@inlinable @inline(__always)
public func prefetchForWrite<T>(_ pointer: UnsafeMutablePointer<T>) {
    let raw = UnsafeRawPointer(pointer)
    var offset = 0
    while offset < MemoryLayout<T>.size {
        CSysShims_prefetchForWrite(raw + offset)
        offset += 64
    }
}

/// Starts loading the cache line at `pointer` for writing. Only a hint: the address is never
/// dereferenced, so it may point anywhere.
@inlinable @inline(__always)
public func prefetchForWrite(raw pointer: UnsafeRawPointer) {
    CSysShims_prefetchForWrite(pointer)
}
