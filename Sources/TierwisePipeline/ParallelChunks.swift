import Foundation

/// An ordered parallel map over a stream, on `workers` threads that each take whatever work
/// is ready: consuming the next result in the order the items were read, reading the next
/// item (decompressing and cutting records), or transforming one that was read. One thread
/// at a time reads and one at a time consumes, so `next` and `consume` need no locks of
/// their own and see the items in order; transforming runs on all of them.
///
/// Why no thread per role: a reader, workers and a consumer of their own are more threads
/// than cores, and on 2 cores the kernel at times left a core idle for 0.6–8 ms while one
/// of them waited, runnable, on the other core (`perf sched` of L): its idle balancing does
/// not move a thread that ran within the last half millisecond, and these run in shorter
/// bursts. With a thread per core there is nothing to misplace. With the fold on the
/// consuming thread (`FoldPartitions`), RFM-only L on 2 threads took 5–8 % less time and
/// 1–5 % less CPU than with a thread per role (sets of 12 and 16 interleaved runs), and
/// ingest on 2 threads went from 1.67× to 1.83× as fast as on 1 (medians of 10–12 pairs).
///
/// At most `3 × workers` items are in flight (read and not yet consumed), so memory stays
/// bounded. A thread consumes before it reads, and reads before it transforms, so that the
/// results leave memory as soon as they can and the stream keeps ahead of the transforming.
///
/// An error of `next` is thrown after every item read before it is consumed; an error of
/// `consume` stops the work at once and is thrown.
enum ParallelChunks {
    static func run<Item, Worker, Output>(
        workers: Int,
        next: @escaping () throws -> Item?,
        makeWorker: () -> Worker,
        work: @escaping (Worker, Item) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        let threads = max(1, workers)
        let crew = Crew<Item, Worker, Output>(limit: 3 * threads, workers: (0..<threads).map { _ in makeWorker() }, next: next, work: work)
        withoutActuallyEscaping(consume) { consume in
            crew.consume = consume
            let others = DispatchGroup()
            let queue = DispatchQueue(label: "tierwise.chunks", attributes: .concurrent)
            for _ in 1..<threads { queue.async(group: others) { crew.serve() } }
            crew.serve()
            others.wait()
            // Nothing may hold the caller's closure once this returns.
            crew.consume = nil
        }
        if let error = crew.consumeError ?? crew.readerError { throw error }
    }

    /// The work and its state, shared by the threads; the state is guarded by `condition`.
    private final class Crew<Item, Worker, Output>: @unchecked Sendable {
        let condition = NSCondition()
        let limit: Int
        /// One for each thread, taken as it starts.
        var workers: [Worker]
        let next: () throws -> Item?
        let work: (Worker, Item) -> Output
        /// The caller's `consume`, for as long as the threads run.
        var consume: ((Output) throws -> Void)?
        /// Items read and not yet taken to transform, by sequence number; they are taken in
        /// order, the next one being `taken`.
        var waiting: [Int: Item] = [:]
        var taken = 0
        var results: [Int: Output] = [:]
        var issued = 0
        var consumed = 0
        var reading = false
        var consuming = false
        var readerDone = false
        var readerError: Error?
        var consumeError: Error?

        init(limit: Int, workers: [Worker], next: @escaping () throws -> Item?, work: @escaping (Worker, Item) -> Output) {
            self.limit = limit
            self.workers = workers
            self.next = next
            self.work = work
        }

        /// One thread's loop, until everything is consumed or consuming failed.
        func serve() {
            condition.lock()
            let worker = workers.removeLast()
            while consumeError == nil {
                if !consuming, let output = results.removeValue(forKey: consumed) {
                    consuming = true
                    let consume = consume!
                    condition.unlock()
                    var failure: Error?
                    do { try consume(output) } catch { failure = error }
                    condition.lock()
                    consuming = false
                    consumed += 1
                    consumeError = failure
                    condition.broadcast()
                } else if !reading && !readerDone && issued - consumed < limit {
                    reading = true
                    condition.unlock()
                    var item: Item?
                    var failure: Error?
                    do { item = try next() } catch { failure = error }
                    condition.lock()
                    reading = false
                    if let item {
                        waiting[issued] = item
                        issued += 1
                    } else {
                        readerDone = true
                        readerError = failure
                    }
                    condition.broadcast()
                } else if let item = waiting.removeValue(forKey: taken) {
                    let sequence = taken
                    taken += 1
                    condition.unlock()
                    let output = work(worker, item)
                    condition.lock()
                    results[sequence] = output
                    // Only the result that is next in order gives another thread work.
                    if sequence == consumed { condition.broadcast() }
                } else if readerDone && consumed == issued {
                    break
                } else {
                    condition.wait()
                }
            }
            // The others are done too, or must stop.
            condition.broadcast()
            condition.unlock()
        }
    }
}
