/// Write-failure injection for fault tests, switched on by an environment variable so the
/// real binary can be driven into a "disk full" state without root or a loop device.
///
/// `TIERWISE_FAULT_WRITE_LIMIT=N` makes every output write fail with ENOSPC once the
/// process has written N bytes in total. Off unless the variable is set.
/// `TIERWISE_FAULT_SYNC=TEXT` makes syncing a file whose path contains TEXT fail.
enum FaultInjection {
    nonisolated(unsafe) private static var limit: Int64? = {
        guard let text = getenv("TIERWISE_FAULT_WRITE_LIMIT") else { return nil }
        return Int64(String(cString: text))
    }()
    nonisolated(unsafe) private static var written: Int64 = 0
    private static let lock = NSLockish()

    /// `TIERWISE_FAULT_SYNC=TEXT`: syncing a file whose path contains TEXT fails (EIO).
    nonisolated(unsafe) private static var syncTarget: String? = {
        guard let text = getenv("TIERWISE_FAULT_SYNC") else { return nil }
        return String(cString: text)
    }()

    static func syncFails(path: String) -> Bool {
        guard let syncTarget else { return false }
        return path.contains(syncTarget)
    }

    static func checkWrite(path: String, adding count: Int) throws {
        guard let limit else { return }
        lock.withLock {
            written += Int64(count)
        }
        if written > limit {
            throw IOError(.cannotWrite, path: path, message: "writing failed (injected: no space left on device)",
                          remedy: "Free space on the output disk", errno: 28)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// A tiny mutex over pthread, so this module needs no Foundation.
final class NSLockish: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
