import Foundation

/// An ordered parallel map over a stream: items are read on the calling thread, transformed
/// on `workers` threads, and consumed on the calling thread strictly in the order they were
/// read. At most `2 × workers` items are in flight, so memory stays bounded.
enum ParallelChunks {
    /// The state shared with worker threads, guarded by `condition`.
    private final class Board<Worker, Output>: @unchecked Sendable {
        let condition = NSCondition()
        var results: [Int: Output] = [:]
        var pool: [Worker]
        init(pool: [Worker]) { self.pool = pool }
    }

    static func run<Item, Worker, Output>(
        workers: Int,
        next: () throws -> Item?,
        makeWorker: () -> Worker,
        work: @escaping (Worker, Item) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        let board = Board<Worker, Output>(pool: (0..<workers).map { _ in makeWorker() })
        let condition = board.condition
        let queue = DispatchQueue(label: "tierwise.chunks", attributes: .concurrent)
        let limit = 2 * workers
        var issued = 0
        var consumed = 0

        /// Consumes the next result in order; waits for it when `wait` is set.
        func consumeNext(wait: Bool) throws -> Bool {
            condition.lock()
            while wait && board.results[consumed] == nil { condition.wait() }
            let output = board.results.removeValue(forKey: consumed)
            condition.unlock()
            guard let output else { return false }
            consumed += 1
            try consume(output)
            return true
        }

        do {
            while true {
                while issued - consumed >= limit { _ = try consumeNext(wait: true) }
                guard let item = try next() else { break }
                condition.lock()
                while board.pool.isEmpty { condition.wait() }
                let worker = board.pool.removeLast()
                condition.unlock()
                let sequence = issued
                issued += 1
                queue.async {
                    let output = work(worker, item)
                    condition.lock()
                    board.results[sequence] = output
                    board.pool.append(worker)
                    condition.broadcast()
                    condition.unlock()
                }
                while try consumeNext(wait: false) {}
            }
            while consumed < issued { _ = try consumeNext(wait: true) }
        } catch {
            // Let the workers in flight finish before the state they hold goes away.
            condition.lock()
            while board.pool.count < workers { condition.wait() }
            condition.unlock()
            throw error
        }
    }
}
