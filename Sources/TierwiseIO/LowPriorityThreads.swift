import Foundation

/// Runs `job(0..<count)` on up to `threads` threads of their own at a lower priority (nice
/// 10), thread w taking jobs w, w + threads, …, then calls `done` once all are finished.
/// For work whose result the run needs only later: hashing the inputs for the fingerprints
/// is 0.25 s of CPU on L's zstd run, and at the same priority it took that time from the
/// customers' and accounts' parsing, which keeps both cores busy. Lowered, it takes the
/// moments the cores would be idle, and still about a tenth of a core shared with ingest's
/// threads. The threads end afterwards, as an unprivileged thread cannot raise its priority
/// again (so pool threads, which run other work later, must not be lowered).
public func runOnLowPriorityThreads(_ count: Int, threads: Int, _ job: @escaping @Sendable (Int) -> Void, done: @escaping @Sendable () -> Void) {
    let workers = max(1, min(threads, count))
    let group = DispatchGroup()
    for w in 0..<workers {
        group.enter()
        Thread {
            SystemCalls.lowerThreadPriority(to: 10)
            for k in stride(from: w, to: count, by: workers) { job(k) }
            group.leave()
        }.start()
    }
    group.notify(queue: .global(), execute: done)
}
