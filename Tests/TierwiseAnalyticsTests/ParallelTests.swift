import Foundation
import Testing
@testable import TierwiseAnalytics

/// The parallel helpers the stages run on.
@Suite struct ParallelTests {
    /// Results come back in the jobs' order, and the first failing job in that order is the
    /// error thrown, however the jobs were spread over the threads.
    @Test func runConcurrentlyKeepsTheJobsOrder() throws {
        struct Failure: Error, Equatable { let job: Int }
        let values = try runConcurrently((0..<50).map { k in { () throws -> Int in
            if k % 7 == 0 { Thread.sleep(forTimeInterval: 0.001) }
            return k * k
        } }, threads: 3)
        #expect(values == (0..<50).map { $0 * $0 })
        #expect(throws: Failure(job: 9)) {
            _ = try runConcurrently((0..<20).map { k in { () throws -> Int in
                if k == 9 || k == 15 { throw Failure(job: k) }
                return k
            } }, threads: 4)
        }
    }

    /// A job's own parallel loop gets more than one thread. (libdispatch runs a
    /// `concurrentPerform` nested in another on one thread: the clv stage, run beside rfm and
    /// profit, and the report's customers.csv, run beside the other files, had lost their
    /// parallel loops that way.) Dispatch lends the loop a second thread only when it has
    /// one free, which it may not while the other test suites run, so the loop gets up to ten
    /// tries; a nested loop never gets one.
    @Test func aJobsOwnLoopRunsOnSeveralThreads() {
        var most = 0
        for _ in 0..<10 where most < 2 {
            let seen = ThreadSet()
            runJobs(2, threads: 2) { job in
                guard job == 0 else { return }
                forEachChunk(8, threads: 2, chunk: 1) { _ in
                    seen.insert()
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }
            most = max(most, seen.count)
        }
        #expect(most > 1)
    }

    /// Thread identities seen, from any thread.
    final class ThreadSet: @unchecked Sendable {
        private let lock = NSLock()
        private var ids = Set<ObjectIdentifier>()
        func insert() {
            lock.lock()
            ids.insert(ObjectIdentifier(Thread.current))
            lock.unlock()
        }
        var count: Int { lock.lock(); defer { lock.unlock() }; return ids.count }
    }
}
