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
    try mapJobs(jobs.count, threads: threads) { i in Result { try jobs[i]() } }.map { try $0.get() }
}

/// The results of jobs 0..<count, run as `runJobs` runs them (up to `threads` at a time,
/// each free to run its own parallel loops), in the jobs' order.
public func mapJobs<T>(_ count: Int, threads: Int, _ job: (Int) -> T) -> [T] {
    var results = [T?](repeating: nil, count: count)
    results.withUnsafeMutableBufferPointer { out in
        let out = out
        runJobs(count, threads: threads) { k in out[k] = job(k) }
    }
    return results.map { $0! }
}

/// Runs jobs 0..<count, up to `threads` at a time, the calling thread taking its share, and
/// returns when all are done. Each job may run its own loops in parallel (`forEachChunk`):
/// jobs are not `concurrentPerform` iterations, since libdispatch runs a `concurrentPerform`
/// called inside another on the calling thread alone, which had left the clv stage (one of
/// three stages run at once) and the report's customers.csv (one of its files) on one core.
/// The other threads come from serial queues of their own, which Dispatch always gives a
/// thread, so a job that waits on more jobs cannot starve them.
public func runJobs(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let workers = min(max(1, threads), count)
    guard workers > 1 else {
        for i in 0..<count { body(i) }
        return
    }
    withoutActuallyEscaping(body) { body in
        let jobs = JobCounter(count: count)
        let group = DispatchGroup()
        func work() { while let i = jobs.take() { body(i) } }
        for w in 1..<workers { DispatchQueue(label: "tierwise.job.\(w)").async(group: group, execute: work) }
        work()
        group.wait()
    }
}

/// The next job to start, shared by `runJobs`' threads.
private final class JobCounter: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private var next = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.wait()
        defer { lock.signal() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }
}
