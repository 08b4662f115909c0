/// The process's memory, for the stage log and between stages.
public enum ProcessMemory {
    /// Peak resident memory so far, in MiB, for the stage log: memory must grow with
    /// customers, and the log shows which stage set the peak.
    public static func peakResidentMiB() -> Int { SystemCalls.peakResidentKiB() / 1024 }

    /// Gives memory freed by a finished stage back to the system, so that the peak of the
    /// run is the largest stage's and not the sum of what each thread's heap kept.
    public static func releaseFree() { SystemCalls.releaseFreeMemory() }

    /// Gives every block of 4 MiB or more (a column of a million 4-byte values) its own
    /// mapping, returned to the system as soon as it is freed. glibc otherwise raises that
    /// threshold to the size of each large block freed (up to 32 MiB), after which the
    /// stages' columns come from the heap, and the holes they leave between stages kept the
    /// whole-run peak 30–60 MiB higher on 500k customers. Smaller blocks, such as the 1 MiB
    /// chunks of ingest, stay on the heap, where reusing them costs no page faults.
    ///
    /// The same 4 MiB is kept free at the top of a heap before it is given back (glibc's
    /// default, 128 KiB, stops adjusting once the mapping threshold is fixed). With 128 KiB,
    /// each chunk freed by a worker went back to the system and the next chunk's pages were
    /// faulted in and zeroed again: 740 MB of them for L's transactions. Keeping 4 MiB took
    /// RFM-only L from 4.11 to 3.77 s (4 pairs) for 6–15 MiB more at the peak.
    public static func mapLargeAllocations() { SystemCalls.mapAllocations(from: 4 << 20) }

    /// Asks for `bytes`, not yet touched, to be backed by 2 MiB pages where the system
    /// allows it (transparent huge pages set to "madvise" or "always").
    ///
    /// For tables that ingest's fold writes at random places, a row at a time: a customer's
    /// record, its account, its purchase-day word, each in a table of 60–80 MB on L. With
    /// 4 KiB pages nearly every one of those writes also missed the TLB, and the page walks
    /// kept the prefetches from overlapping; the fold was a fifth of the ingest's CPU and
    /// took about a third less on huge pages. Costs at most 2 MiB more resident per table.
    public static func preferHugePages(_ bytes: UnsafeMutableRawBufferPointer) { SystemCalls.adviseHugePages(bytes) }

    /// An array of `count` copies of `value` on huge pages where the system allows it (see
    /// `preferHugePages`): they must be asked for before the pages are first written.
    public static func arrayOnHugePages<T>(repeating value: T, count: Int) -> [T] {
        Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            SystemCalls.adviseHugePages(UnsafeMutableRawBufferPointer(buffer))
            buffer.initialize(repeating: value)
            initialized = count
        }
    }

    /// Reserves room for `capacity` elements in `array`, on huge pages where the system allows
    /// it, for an array that is then filled by appending (see `preferHugePages`). Elements
    /// already in the array keep their pages.
    public static func reserveOnHugePages<T>(_ array: inout [T], capacity: Int) {
        array.reserveCapacity(capacity)
        let room = array.capacity * MemoryLayout<T>.stride
        guard room > 0 else { return }
        // With room reserved, the buffer starts at the array's storage even while it is empty.
        array.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            SystemCalls.adviseHugePages(UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(base), count: room))
        }
    }

    /// Moves `count` values from `source` to `target` a few MB at a time, giving each slice's
    /// old pages back to the system once it is moved (MADV_DONTNEED), so that moving a large
    /// buffer never has both copies resident: the customer records are tens of MB and are
    /// moved at the end of ingest, when the run is nearest its peak. The source memory is
    /// left uninitialized, as after `moveInitialize`; whole pages of it read as zeros.
    public static func move<T>(from source: UnsafeMutablePointer<T>, to target: UnsafeMutablePointer<T>, count: Int) {
        let slice = max(1, (4 << 20) / MemoryLayout<T>.stride)
        var done = 0
        while done < count {
            let n = min(slice, count - done)
            (target + done).moveInitialize(from: source + done, count: n)
            SystemCalls.discardPages(UnsafeMutableRawBufferPointer(start: source + done, count: n * MemoryLayout<T>.stride))
            done += n
        }
    }
}
