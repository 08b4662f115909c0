import Foundation
import Testing
import TierwiseIO
#if canImport(Glibc)
import Glibc
#endif

/// Every job runs once, on a thread of lowered priority that is not the caller's, and
/// `done` comes once, after the last job. The caller's own priority is left as it was.
@Test func lowPriorityThreadsRunEveryJobOnceThenCallDone() {
    final class Record: @unchecked Sendable {
        let lock = NSLock()
        var runs = [Int](repeating: 0, count: 50)
        var nices: Set<Int32> = []
        var doneCalls = 0
        var jobsBeforeDone = 0
    }
    let record = Record()
    let finished = DispatchSemaphore(value: 0)
    let callerNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    runOnLowPriorityThreads(50, threads: 3, { k in
        let nice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        usleep(200)
        record.lock.lock()
        record.runs[k] += 1
        record.nices.insert(nice)
        record.lock.unlock()
    }, done: {
        record.lock.lock()
        record.doneCalls += 1
        record.jobsBeforeDone = record.runs.reduce(0, +)
        record.lock.unlock()
        finished.signal()
    })
    finished.wait()
    usleep(20_000)  // a second, wrong call of done would come about now
    record.lock.lock()
    defer { record.lock.unlock() }
    #expect(record.runs.allSatisfy { $0 == 1 })
    #expect(record.doneCalls == 1 && record.jobsBeforeDone == 50)
    #expect(record.nices.count == 1 && record.nices.first! >= 10)
    #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == callerNice)
}
