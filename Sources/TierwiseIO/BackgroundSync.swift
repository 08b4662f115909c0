import Dispatch
import Foundation

/// Makes finished files durable on a thread of its own, in the order they were handed over,
/// and saves there what the run does not read back (`perform`).
///
/// A stage's work table is a cache for later runs: nothing in this run reads it back, so the
/// run need not wait for the disk before going on. On L the two largest (ingest and features,
/// 300 MB) took 0.2 and 0.27 s to sync, on the critical path between stages. The run waits
/// (`wait()`) only before it records the stages as done and before it publishes outputs, so
/// a stage is never marked done while its table could still be lost.
public final class BackgroundSync: @unchecked Sendable {
    private let queue = DispatchQueue(label: "tierwise.sync")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var failure: IOError?
    /// What to check when a sync fails, naming the disk this instance syncs to.
    private let remedy: String

    public init(remedy: String = "Check free space and the health of the work folder's disk") {
        self.remedy = remedy
    }

    /// Syncs and closes `fd`, which the caller gives up.
    func syncAndClose(_ fd: Int32, path: String) {
        perform { [remedy] in
            var code = SystemCalls.fsync(fd)
            SystemCalls.close(fd)
            if FaultInjection.syncFails(path: path) { code = 5 }  // EIO, for the tests
            if let code {
                throw IOError(.cannotWrite, path: path, message: "syncing the file to disk failed", remedy: remedy, errno: code)
            }
        }
    }

    /// Runs `work` on the same thread, after everything handed over before it: for saving a
    /// table that nothing later in the run reads back from disk. A failure is kept for `wait()`.
    public func perform(_ work: @escaping () throws -> Void) {
        let box = WorkBox(work)
        group.enter()
        queue.async { [self] in
            defer { group.leave() }
            do { try box.work() } catch {
                lock.lock()
                if failure == nil {
                    failure = (error as? IOError) ?? IOError(.cannotWrite, path: "work folder", message: "saving a stage's result failed: \(error)")
                }
                lock.unlock()
            }
        }
    }

    /// Waits until every file handed over so far is synced; throws the first failure.
    public func wait() throws {
        group.wait()
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
    }
}

/// Carries work to the sync thread. The work only reads values the run no longer changes.
private final class WorkBox: @unchecked Sendable {
    let work: () throws -> Void
    init(_ work: @escaping () throws -> Void) { self.work = work }
}
