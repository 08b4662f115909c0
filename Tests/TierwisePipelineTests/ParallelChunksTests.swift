import Foundation
import Testing
@testable import TierwisePipeline

/// `ParallelChunks` on 1 to 8 threads: results consumed in read order, no more than
/// `3 × workers` items in flight, the transforming spread over the threads, and the two
/// kinds of error.
struct ParallelChunksTests {
    struct Failure: Error, Equatable { let at: Int }

    /// Counts read and consumed items from the reading and consuming threads.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var read = 0
        private(set) var consumed = 0
        private(set) var mostInFlight = 0

        func didRead() {
            lock.lock()
            read += 1
            mostInFlight = max(mostInFlight, read - consumed)
            lock.unlock()
        }

        func didConsume() {
            lock.lock()
            consumed += 1
            lock.unlock()
        }
    }

    /// Work that takes an uneven time, so that results come back out of order.
    static func uneven(_ item: Int) -> Int {
        usleep(UInt32(item * 7919 % 13) * 40)
        return item * 3
    }

    @Test(arguments: [1, 2, 3, 8])
    func consumesEveryResultInReadOrder(workers: Int) throws {
        let tally = Tally()
        var item = 0
        var seen: [Int] = []
        try ParallelChunks.run(workers: workers, next: { () -> Int? in
            guard item < 500 else { return nil }
            defer { item += 1 }
            tally.didRead()
            return item
        }, makeWorker: { () }, work: { _, item in Self.uneven(item) }, consume: { output in
            tally.didConsume()
            seen.append(output)
        })
        #expect(seen == (0..<500).map { $0 * 3 })
        #expect(tally.mostInFlight <= 3 * workers)
        #expect(tally.mostInFlight > 1, "it never read ahead")
    }

    /// Two items are transformed at the same time on 2 threads: the first waits until the
    /// second has started, which on one thread would never happen.
    @Test func transformsOnSeveralThreadsAtOnce() throws {
        let started = [DispatchSemaphore(value: 0), DispatchSemaphore(value: 0)]
        /// Signalled once by each of the two items that saw the other start.
        let overlapped = DispatchSemaphore(value: 0)
        var item = 0
        try ParallelChunks.run(workers: 2, next: { () -> Int? in
            defer { item += 1 }
            return item < 20 ? item : nil
        }, makeWorker: { () }, work: { _, item in
            if item < 2 {
                started[item].signal()
                if started[1 - item].wait(timeout: .now() + 10) == .success { overlapped.signal() }
                started[1 - item].signal()
            }
            return item
        }, consume: { _ in })
        #expect(overlapped.wait(timeout: .now()) == .success && overlapped.wait(timeout: .now()) == .success)
    }

    /// Runs items 0, 1, 2… through with an error of the reader or of the consumer at one of
    /// them; gives what was consumed, how many were read, and the error thrown.
    static func failing(workers: Int, readerAt: Int? = nil, consumerAt: Int? = nil) -> (seen: [Int], read: Int, error: Failure?) {
        var item = 0
        var seen: [Int] = []
        do {
            try ParallelChunks.run(workers: workers, next: { () -> Int? in
                if item == readerAt { throw Failure(at: item) }
                defer { item += 1 }
                return item < 100_000 ? item : nil
            }, makeWorker: { () }, work: { _, item in uneven(item) / 3 }, consume: { output in
                if output == consumerAt { throw Failure(at: output) }
                seen.append(output)
            })
        } catch {
            return (seen, item, error as? Failure)
        }
        return (seen, item, nil)
    }

    /// The reader's error comes after every item read before it is consumed.
    @Test(arguments: [1, 2, 8])
    func readerErrorComesAfterTheItemsBeforeIt(workers: Int) {
        let run = Self.failing(workers: workers, readerAt: 37)
        #expect(run.error == Failure(at: 37))
        #expect(run.seen == Array(0..<37))
    }

    /// A consumer's error stops the work: nothing more is consumed, and reading stops
    /// within the items in flight.
    @Test(arguments: [1, 2, 8])
    func consumerErrorStopsTheWork(workers: Int) {
        let run = Self.failing(workers: workers, consumerAt: 10)
        #expect(run.error == Failure(at: 10))
        #expect(run.seen == Array(0..<10))
        #expect(run.read <= 10 + 3 * workers)
    }
}
