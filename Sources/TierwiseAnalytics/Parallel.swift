import Dispatch

/// Runs `body` over `0..<count` in fixed chunks on up to `threads` threads. Chunk boundaries
/// do not depend on the thread count, and each index is written by exactly one chunk, so
/// results are identical on any number of threads.
public func forEachChunk(_ count: Int, threads: Int, chunk: Int = 16_384, _ body: (Range<Int>) -> Void) {
    let chunks = (count + chunk - 1) / chunk
    if threads <= 1 || chunks <= 1 {
        for c in 0..<chunks { body((c * chunk)..<min(count, (c + 1) * chunk)) }
        return
    }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            body((c * chunk)..<min(count, (c + 1) * chunk))
        }
    }
}

/// Fills a new array of `count` elements in parallel chunks.
public func parallelMap<T>(_ count: Int, threads: Int, chunk: Int = 16_384, initial: T, _ transform: (Int) -> T) -> [T] {
    var out = [T](repeating: initial, count: count)
    out.withUnsafeMutableBufferPointer { buffer in
        let base = buffer
        forEachChunk(count, threads: threads, chunk: chunk) { range in
            for i in range { base[i] = transform(i) }
        }
    }
    return out
}

/// Runs independent jobs at the same time on up to `threads` threads and returns their
/// results in the jobs' order; the first job's error in that order is thrown. Put the
/// longest jobs first: they start first.
public func runConcurrently<T>(_ jobs: [() throws -> T], threads: Int) throws -> [T] {
    let results = parallelMap(jobs.count, threads: threads, chunk: 1, initial: Result<T, Error>?.none) { i in Result { try jobs[i]() } }
    return try results.map { try $0!.get() }
}
