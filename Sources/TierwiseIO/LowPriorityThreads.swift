import Foundation

/// Runs `job(0..<count)` on up to `threads` threads of their own at a lower priority (nice
/// 10), thread w taking jobs w, w + threads, …, then calls `done` with the results in the
/// jobs' order once all are finished.
/// For work whose result the run needs only later: hashing the inputs for the fingerprints
/// is 0.25 s of CPU on L's zstd run, and at the same priority it took that time from the
/// customers' and accounts' parsing, which keeps both cores busy. Lowered, it takes the
/// moments the cores would be idle, and still about a tenth of a core shared with ingest's
/// threads. The threads end afterwards, as an unprivileged thread cannot raise its priority
/// again (so pool threads, which run other work later, must not be lowered).
public func mapOnLowPriorityThreads<T>(_ count: Int, threads: Int, _ job: @escaping @Sendable (Int) -> T,
                                       done: @escaping @Sendable ([T]) -> Void) {
    let workers = max(1, min(threads, count))
    let results = Results<T>(count: count)
    let group = DispatchGroup()
    for w in 0..<workers {
        group.enter()
        Thread {
            SystemCalls.lowerThreadPriority(to: 10)
            for k in stride(from: w, to: count, by: workers) { results.slots[k] = job(k) }
            group.leave()
        }.start()
    }
    group.notify(queue: .global()) { done(results.slots.map { $0! }) }
}

/// The jobs' results, one slot each: a thread writes only its own jobs' slots (through a
/// pointer, as concurrent writes to one array would be overlapping accesses), and `done`
/// reads them after every thread has left the group.
private final class Results<T>: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
}
