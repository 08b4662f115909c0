/// RFM values are in the feature table; this is the scoring and the segments.
public struct RFMScores: Sendable, Equatable {
    public init(r: [UInt8], f: [UInt8], m: [UInt8], segment: [UInt8], segmentNames: [String]) {
        self.r = r
        self.f = f
        self.m = m
        self.segment = segment
        self.segmentNames = segmentNames
    }

    public var r: [UInt8]
    public var f: [UInt8]
    public var m: [UInt8]
    /// Index into `segmentNames`; the last name is `Others`.
    public var segment: [UInt8]
    public var segmentNames: [String]

    public func cell(_ i: Int) -> String { "\(r[i])\(f[i])\(m[i])" }
    public func segmentName(_ i: Int) -> String { segmentNames[Int(segment[i])] }
    public func scoreSum(_ i: Int) -> Int { Int(r[i]) + Int(f[i]) + Int(m[i]) }
}

public enum RFM {
    /// Scores 1…5 by rank, 5 best: `min(5, 1 + ⌊5·L/n⌋)` with L the number of customers whose
    /// key is strictly lower (worse). Ties share a score, so any SQL engine's
    /// `1 + floor(5 * (rank() over (order by v) - 1) / count(*) over ())` gives the same.
    ///
    /// - Complexity: O(n).
    public static func scores(keys: [Int64]) -> [UInt8] {
        let n = keys.count
        guard n > 0 else { return [] }
        return countsBelow(keys).map { UInt8(min(5, 1 + (5 * Int($0)) / n)) }
    }

    /// For each key, how many keys are strictly lower. The keys are sorted once with their
    /// positions (`RadixOrder`), and a walk down the sorted order gives each the position
    /// where its value first appears: the count a binary search of every key would give,
    /// without 19 probes a customer over a table larger than the cache (they were most of
    /// the tier stage).
    ///
    /// - Complexity: O(n).
    static func countsBelow(_ keys: [Int64]) -> [Int32] {
        let (order, sorted) = RadixOrder.ascending(keys.map(RadixOrder.key))
        var below = [Int32](repeating: 0, count: keys.count)
        var lower: Int32 = 0
        for j in order.indices {
            if j > 0 && sorted[j] != sorted[j - 1] { lower = Int32(j) }
            below[Int(order[j])] = lower
        }
        return below
    }

    /// Recency key: fewer days is better; no activity at all is the worst.
    @inline(__always)
    public static func recencyKey(_ days: Int32) -> Int64 { days < 0 ? Int64.min : -Int64(days) }

    /// The three scores are ranked at the same time and the segments found in chunks, on up
    /// to `threads` threads: one after another they were 0.1 s on L with the other core idle,
    /// at the end of an RFM-only run. Each score and segment is the same on any number.
    public static func score(_ t: FeatureTable, parameters: RFMParameters, threads: Int = 1) -> RFMScores {
        let rfm = mapJobs(3, threads: threads) { k in
            switch k {
            case 0: scores(keys: t.recencyDays.map(recencyKey))
            case 1: scores(keys: t.frequency.map { Int64($0) })
            default: scores(keys: t.monetary)
            }
        }
        let (r, f, m) = (rfm[0], rfm[1], rfm[2])
        let names = parameters.segments.map(\.name) + ["Others"]
        let segments = parameters.segments
        let segment = parallelMap(t.count, threads: threads, initial: UInt8(names.count - 1)) { i in
            segments.firstIndex(where: { $0.matches(r: Int(r[i]), f: Int(f[i]), m: Int(m[i])) }).map(UInt8.init) ?? UInt8(names.count - 1)
        }
        return RFMScores(r: r, f: f, m: m, segment: segment, segmentNames: names)
    }
}
