#if canImport(Glibc)
import Glibc
#endif

/// Named points where a fault test can kill the process, to prove that a crash at that
/// moment leaves no partial output. `TIERWISE_FAULT_KILL_AT=NAME` sends SIGKILL to this
/// process when it reaches the point called NAME; unset, a point costs one comparison.
public enum FaultPoints {
    private static let target: String? = {
        guard let text = getenv("TIERWISE_FAULT_KILL_AT") else { return nil }
        return String(cString: text)
    }()

    public static func hit(_ name: String) throws {
        guard let target, target == name else { return }
        kill(getpid(), SIGKILL)
    }
}
