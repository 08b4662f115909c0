import Dispatch
import Foundation
import TierwiseAnalytics
import TierwiseIO

/// One chunk's accepted rows after the in-order decisions (duplicates, new customers, shard),
/// waiting to be folded: `customers[i]` is the customer of `chunk.rows[i]`, or −1 when the row
/// is not folded.
final class FoldBatch: @unchecked Sendable {
    let sequence: Int
    let chunk: ValidatedChunk
    let customers: [Int32]
    /// Partitions still to fold this batch; the last one frees its slot.
    private var remaining: Int
    private let lock = NSLock()

    init(sequence: Int, chunk: ValidatedChunk, customers: [Int32], partitions: Int) {
        self.sequence = sequence
        self.chunk = chunk
        self.customers = customers
        remaining = partitions
    }

    /// True for the partition that finishes the batch last.
    func partitionDone() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        remaining -= 1
        return remaining == 0
    }
}

/// A row the fold turned away because a running total would pass Int64 (AMOUNT_OVERFLOW).
struct OverflowReject {
    var sequence: Int
    var record: Int
    var line: Int
    var bytes: [UInt8]
}

/// Folds the accepted rows: partition p folds the customers whose index is p modulo the
/// number of partitions, one partition for every two threads (`partitions(threads:)`). One
/// partition folds at once on the caller's thread, which `ParallelChunks` hands the chunks in
/// order; several fold beside the validating threads, each on its own serial queue.
///
/// Each partition folds its customers' rows in file order: the batches come in file order,
/// one at a time (`ParallelChunks`), and a partition's serial queue keeps it. A customer's
/// sums, its overflow checks and its accounts (an account belongs to one customer) therefore
/// see exactly the order of a one-thread fold, and the result is the same on any number of
/// threads.
///
/// The activity lives in one buffer that the partitions write at disjoint indexes; it grows
/// (after every queued batch is folded) when new customers come. The accounts are the
/// caller's buffer, written the same way.
///
/// The purchase days of the last 16 × 64 days up to the as-of date (about 2.7 years) are
/// kept here too, one bit a day and 16 words a customer, in one buffer beside the activity:
/// a row's word is then found from its customer and day alone, and prefetched with the
/// record, where a bit set of its own per customer (`CustomerActivity.initiatedDays`, which
/// keeps only the older days now) cost a heap block, a uniqueness check and a header line per
/// row, and freeing half a million of them at the end. The days are counted into each
/// customer's activity by `finish`.
final class FoldPartitions: @unchecked Sendable {
    /// How many partitions fold; each batch is handed to every one.
    private let count: Int
    /// The threads ingest runs on; `finish` settles the customers on all of them.
    private let threads: Int
    /// How many of its own rows ahead a partition prefetches: enough to cover a memory access,
    /// few enough that the lines are still in the cache when the row comes (8 beat 16 on L).
    static let lookahead = 8
    private let queues: [DispatchQueue]
    /// Whether batches are folded on the queues (more than one partition) or at once on the
    /// caller's thread. On 2 threads, one partition folding on the thread that consumes the
    /// chunks took 6 % less time than on a queue of its own, a third thread on two cores
    /// (RFM-only L, 12 interleaved runs: 0.920 and 0.983 of the time before either).
    private var concurrent: Bool { count > 1 }
    /// Bounds the batches waiting on the queues, so memory does not grow with the file: two
    /// for every thread and two more, however many partitions there are, so that the queues
    /// ride over a moment without a core.
    private let slots: DispatchSemaphore
    private let window: AnalysisWindow
    private var activity: UnsafeMutableBufferPointer<CustomerActivity>
    /// Customers whose activity is initialised, at the front of `activity`.
    private var customers: Int
    private let accounts: UnsafeMutableBufferPointer<AccountState>
    /// Customer c's recent purchase days are words `c × recentWords ..< (c + 1) × recentWords`,
    /// the first of them word `firstRecentWord` (day >> 6); as many customers as `activity` holds.
    static let recentWords = 16
    private var recentDays: UnsafeMutablePointer<UInt64>
    private let firstRecentWord: Int
    /// Rows turned away, per partition; appended under `overflowLock` (rare).
    private var overflow: [[OverflowReject]]
    private let overflowLock = NSLock()
    /// Each partition's rows of the batch it is folding, reused from batch to batch; only
    /// that partition's queue touches its list.
    private let rowLists: [RowList]

    private final class RowList: @unchecked Sendable {
        var rows: [Int32] = []
    }

    /// How many partitions fold on `threads` threads: one for every two, at least one.
    ///
    /// Folding is two or three cache misses a row and about a quarter of ingest's work, so
    /// half the threads keep it off the critical path. More partitions cost more: each one
    /// passes over every batch's rows to find its own, on a thread of its own, and the
    /// batch's rows are then read on every core. On two threads, one partition took 3 % less
    /// time and CPU than two (RFM-only on L, three sets of 12–24 interleaved runs, when even
    /// one partition folded on a queue of its own).
    static func partitions(threads: Int) -> Int { max(1, threads / 2) }

    /// Starts every customer of the dumps with an empty activity holding its account
    /// magnitude (taken from `accountMagnitude`); `finish()` hands the activity over.
    /// `accounts` must stay valid until then.
    init(accountMagnitude: inout [Int64], accounts: UnsafeMutableBufferPointer<AccountState>, threads: Int, window: AnalysisWindow) {
        count = Self.partitions(threads: threads)
        self.threads = max(1, threads)
        queues = (0..<count).map { DispatchQueue(label: "tierwise.fold.\($0)") }
        slots = DispatchSemaphore(value: 2 * self.threads + 2)
        self.window = window
        self.accounts = accounts
        overflow = Array(repeating: [], count: count)
        rowLists = (0..<count).map { _ in RowList() }
        customers = accountMagnitude.count
        activity = Self.allocateActivity(max(1024, customers + customers / 4))
        recentDays = Self.allocateDays(activity.count)
        firstRecentWord = Int(window.asOf.number >> 6) - (Self.recentWords - 1)
        // In chunks on every thread: the first touch of the pages (64 MB on L) is most of it.
        let activity = activity, magnitudes = accountMagnitude
        forEachChunk(customers, threads: threads) { range in
            (activity.baseAddress! + range.lowerBound).initialize(repeating: CustomerActivity(), count: range.count)
            for i in range { activity[i].accountMagnitude = magnitudes[i] }
        }
        accountMagnitude = []
    }

    deinit {
        activity.baseAddress!.deinitialize(count: customers)
        activity.deallocate()
        free(recentDays)
    }

    /// Zeroed room for `n` customers' recent days, on huge pages where the system allows it.
    /// From `calloc`: a block this large is a new mapping whose pages come zeroed from the
    /// system when first touched, with no pass here.
    private static func allocateDays(_ n: Int) -> UnsafeMutablePointer<UInt64> {
        let raw = calloc(n * recentWords, MemoryLayout<UInt64>.size)!
        ProcessMemory.preferHugePages(UnsafeMutableRawBufferPointer(start: raw, count: n * recentWords * MemoryLayout<UInt64>.size))
        return raw.bindMemory(to: UInt64.self, capacity: n * recentWords)
    }

    /// Room for `n` customers' activity on 64-byte boundaries. A row's fold waits on its
    /// customer's cache lines more than on anything else, and an aligned record (128 bytes)
    /// lies in exactly two of them, where at any offset it straddles three or four. On huge
    /// pages where the system allows it (`ProcessMemory.preferHugePages`).
    private static func allocateActivity(_ n: Int) -> UnsafeMutableBufferPointer<CustomerActivity> {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<CustomerActivity>.stride, alignment: 64)
        ProcessMemory.preferHugePages(UnsafeMutableRawBufferPointer(start: raw, count: n * MemoryLayout<CustomerActivity>.stride))
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: CustomerActivity.self, capacity: n), count: n)
    }

    /// Queues chunk number `sequence` for folding, `customers[i]` being the customer of its
    /// row i (−1: not folded), all of them below `customerCount`; blocks while too many are waiting.
    func fold(sequence: Int, chunk: ValidatedChunk, customers rowCustomers: [Int32], customerCount: Int) {
        if customerCount > customers { grow(to: customerCount) }
        let batch = FoldBatch(sequence: sequence, chunk: chunk, customers: rowCustomers, partitions: count)
        guard concurrent else {
            for p in 0..<count { fold(batch, part: p) }
            return
        }
        slots.wait()
        for p in 0..<count {
            queues[p].async {
                self.fold(batch, part: p)
                if batch.partitionDone() { self.slots.signal() }
            }
        }
    }

    /// Adds empty activity up to `n` customers, moving the buffer when it is full. Folds in
    /// flight only touch customers below the old count, so only a move needs them finished.
    private func grow(to n: Int) {
        if n > activity.count {
            drain()
            let moved = Self.allocateActivity(max(n, activity.count * 2))
            ProcessMemory.move(from: activity.baseAddress!, to: moved.baseAddress!, count: customers)
            activity.deallocate()
            activity = moved
            let days = Self.allocateDays(moved.count)
            days.update(from: recentDays, count: customers * Self.recentWords)
            free(recentDays)
            recentDays = days
        }
        (activity.baseAddress! + customers).initialize(repeating: CustomerActivity(), count: n - customers)
        customers = n
    }

    private func fold(_ batch: FoldBatch, part p: Int) {
        let count = count
        let window = window
        let activity = activity
        let accounts = accounts
        let days = recentDays, firstWord = firstRecentWord, words = FoldPartitions.recentWords
        /// Where the day's bit lies among the customer's recent words, or nil for an older day.
        @inline(__always) func recentWord(_ day: Day) -> Int? {
            let w = Int(day.number >> 6) - firstWord
            return w >= 0 && w < words ? w : nil
        }
        var turnedAway: [OverflowReject] = []
        // This partition's rows first, in one pass over the customers (4 bytes a row): the
        // loop below then sees only its own rows, and prefetches as far ahead in them.
        let list = rowLists[p]
        list.rows.removeAll(keepingCapacity: true)
        batch.customers.withUnsafeBufferPointer { customers in
            if count & (count - 1) == 0 {
                let mask = Int32(count - 1), part = Int32(p)
                for i in customers.indices where customers[i] >= 0 && customers[i] & mask == part { list.rows.append(Int32(i)) }
            } else {
                for i in customers.indices where customers[i] >= 0 && Int(customers[i]) % count == p { list.rows.append(Int32(i)) }
            }
        }
        batch.chunk.rows.withUnsafeBufferPointer { rows in
            batch.customers.withUnsafeBufferPointer { customers in
                list.rows.withUnsafeBufferPointer { mine in
                    for k in 0..<mine.count {
                        // The records of a row some way ahead start loading now, so the misses overlap.
                        let ahead = k + FoldPartitions.lookahead
                        if ahead < mine.count {
                            let i = Int(mine[ahead])
                            let c = Int(customers[i])
                            prefetchForWrite(activity.baseAddress! + c)
                            let a = Int(rows[i].account)
                            if a >= 0 { prefetchForWrite(accounts.baseAddress! + a) }
                            if let w = recentWord(rows[i].txn.day) { prefetchForWrite(raw: days + c * words + w) }
                        }
                        // Half as far ahead, the record has come: the words of an older day can start loading too.
                        let near = k + FoldPartitions.lookahead / 2
                        if near < mine.count {
                            let i = Int(mine[near])
                            if recentWord(rows[i].txn.day) == nil,
                               let at = activity[Int(customers[i])].initiatedDays.addresses(of: rows[i].txn.day) {
                                prefetchForWrite(raw: at.count)
                                prefetchForWrite(raw: at.word)
                            }
                        }
                        let i = Int(mine[k])
                        let c = Int(customers[i])
                        let row = rows[i]
                        // The account is checked first, so that a rejected row leaves the customer untouched too.
                        let moved = Int64(row.txn.amount.magnitude)
                        if (row.account >= 0 && (accounts[Int(row.account)].wouldOverflow(amount: row.txn.amount)
                                                 || activity[c].accountMagnitude.addingReportingOverflow(moved).overflow))
                            || !activity[c].foldUnlessOverflow(row.txn, window: window, keepingDay: false) {
                            let r = Int(row.record)
                            turnedAway.append(OverflowReject(sequence: batch.sequence, record: r, line: batch.chunk.chunk.lines[r],
                                                             bytes: batch.chunk.chunk.withRecord(r) { Array($0) }))
                            continue
                        }
                        if row.txn.type.isCustomerInitiated {
                            let day = row.txn.day
                            if let w = recentWord(day) {
                                days[c * words + w] |= 1 << UInt64(day.number & 63)
                            } else {
                                // Sized up to the recent words, which hold every later day.
                                activity[c].initiatedDays.insert(day, last: Int(day.number >> 6) < firstWord ? Day(number: Int32(firstWord * 64 - 1)) : nil)
                            }
                        }
                        if row.account >= 0 {
                            activity[c].accountMagnitude += moved
                            accounts[Int(row.account)].fold(day: row.txn.day, amount: row.txn.amount, window: window)
                        }
                    }
                }
            }
        }
        if !turnedAway.isEmpty {
            overflowLock.lock()
            overflow[p] += turnedAway
            overflowLock.unlock()
        }
    }

    /// Waits until every queued batch is folded.
    func drain() {
        if concurrent { for q in queues { q.sync {} } }
    }

    /// Waits for every queued batch and returns the rows turned away so far, in file order.
    func drainOverflow() -> [OverflowReject] {
        drain()
        let all = overflow.flatMap { $0 }
        overflow = Array(repeating: [], count: count)
        return all.sorted { ($0.sequence, $0.record) < ($1.sequence, $1.record) }
    }

    /// Waits for every queued batch and gives back the activity of `n` customers, settled
    /// (`CustomerActivity.settle`) with their recent days counted in. The settling and the
    /// move, which faults in the array's pages, run in chunks on every thread: on one, with
    /// the other cores idle, they took 0.15–0.25 s at the end of ingest on L.
    func finish(customers n: Int) -> [CustomerActivity] {
        drain()
        if n > customers { grow(to: n) }
        let taken = customers
        customers = 0
        let source = activity, days = recentDays, words = FoldPartitions.recentWords
        return Array(unsafeUninitializedCapacity: taken) { buffer, initialized in
            let target = buffer
            forEachChunk(taken, threads: threads) { range in
                for i in range {
                    var recent = 0
                    for w in 0..<words { recent += days[i * words + w].nonzeroBitCount }
                    source[i].settle(addingDays: recent)
                }
                ProcessMemory.move(from: source.baseAddress! + range.lowerBound, to: target.baseAddress! + range.lowerBound, count: range.count)
            }
            initialized = taken
        }
    }
}
