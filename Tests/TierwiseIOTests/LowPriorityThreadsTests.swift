import Foundation
import Testing
import TierwiseIO
#if canImport(Glibc)
import Glibc
#endif

/// Every job runs once, on a thread of lowered priority that is not the caller's, and
/// `done` comes once, after the last job, with the results in the jobs' order. The
/// caller's own priority is left as it was.
@Test func lowPriorityThreadsRunEveryJobOnceThenCallDone() {
    final class Record: @unchecked Sendable {
        let lock = NSLock()
        var runs = [Int](repeating: 0, count: 50)
        var nices: Set<Int32> = []
        var doneCalls = 0
        var jobsBeforeDone = 0
        var results: [Int] = []
    }
    let record = Record()
    let finished = DispatchSemaphore(value: 0)
    let callerNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    mapOnLowPriorityThreads(50, threads: 3, { k in
        let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        usleep(200)
        record.lock.lock()
        record.runs[k] += 1
        record.nices.insert(nice)
        record.lock.unlock()
        return 2 * k
    }, done: { results in
        record.lock.lock()
        record.doneCalls += 1
        record.jobsBeforeDone = record.runs.reduce(0, +)
        record.results = results
        record.lock.unlock()
        finished.signal()
    })
    finished.wait()
    usleep(20_000)  // a second, wrong call of done would come about now
    record.lock.lock()
    defer { record.lock.unlock() }
    #expect(record.runs.allSatisfy { $0 == 1 })
    #expect(record.doneCalls == 1 && record.jobsBeforeDone == 50)
    #expect(record.results == (0..<50).map { 2 * $0 })
    #expect(record.nices.count == 1 && record.nices.first! >= 10)
    #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == callerNice)
}
