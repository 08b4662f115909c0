/// The process's memory, for the stage log and between stages.
public enum ProcessMemory {
    /// Peak resident memory so far, in MiB, for the stage log: memory must grow with
    /// customers, and the log shows which stage set the peak.
    public static func peakResidentMiB() -> Int { SystemCalls.peakResidentKiB() / 1024 }

    /// Gives memory freed by a finished stage back to the system, so that the peak of the
    /// run is the largest stage's and not the sum of what each thread's heap kept.
    public static func releaseFree() { SystemCalls.releaseFreeMemory() }
}
