public enum Tier: UInt8, Sendable, CaseIterable, Comparable {
    case a, b, c, d
    public var name: String {
        switch self {
        case .a: "A"
        case .b: "B"
        case .c: "C"
        case .d: "D"
        }
    }
    public init?(name: String) {
        guard let i = ["A", "B", "C", "D"].firstIndex(of: name) else { return nil }
        self.init(rawValue: UInt8(i))
    }
    public static func < (x: Tier, y: Tier) -> Bool { x.rawValue < y.rawValue }
}

public enum Lifecycle: String, Sendable, CaseIterable {
    case dormant, declining, new, loyal, growing, mature
}

/// The value score's parts for one customer: percentile ranks 0…1 of each component.
public struct ValueComponents: Sendable, Equatable {
    public init(clv: Double?, profit: Double, balance: Double, rfm: Double) {
        self.clv = clv
        self.profit = profit
        self.balance = balance
        self.rfm = rfm
    }

    public var clv: Double?
    public var profit: Double
    public var balance: Double
    public var rfm: Double
}

public enum Tiering {
    /// Percentile rank 0…1: the share of other customers with a strictly lower value, so ties
    /// share a rank (L / (n − 1); 0 for a single customer).
    ///
    /// - Complexity: O(n).
    public static func percentRanks(_ keys: [Int64]) -> [Double] {
        let n = keys.count
        guard n > 1 else { return [Double](repeating: 0, count: n) }
        return RFM.countsBelow(keys).map { Double($0) / Double(n - 1) }
    }

    public struct Result: Sendable, Equatable {
    public init(tier: [Tier], valueScore: [Double], components: [ValueComponents], rank: [Int], privateBanking: [Bool], weightsUsed: (clv: Double, profit: Double, balance: Double, rfm: Double)) {
        self.tier = tier
        self.valueScore = valueScore
        self.components = components
        self.rank = rank
        self.privateBanking = privateBanking
        self.weightsUsed = weightsUsed
    }

        public var tier: [Tier]
        public var valueScore: [Double]
        public var components: [ValueComponents]
        /// Position by value score, 1 = best.
        public var rank: [Int]
        public var privateBanking: [Bool]
        /// Weights actually used: CLV's weight is spread over the others when there is no CLV.
        public var weightsUsed: (clv: Double, profit: Double, balance: Double, rfm: Double)

        public static func == (a: Result, b: Result) -> Bool {
            a.tier == b.tier && a.valueScore == b.valueScore && a.rank == b.rank && a.privateBanking == b.privateBanking
        }
    }

    /// Tiers by rank of value score: the top `shareA` of customers A, the next `shareB` B, the
    /// next `shareC` C, the rest D; ties in the score are broken by customer order (id order),
    /// so the counts are exact: round(share × n). A relationship balance at or above the
    /// private-banking threshold makes a customer A whatever the rank.
    ///
    /// The four percentile ranks are independent sorts, computed at the same time on up to
    /// `threads` threads: one after another they left a core idle for a tenth of a second on
    /// L. The result does not depend on `threads`.
    public static func assign(clv: [Int64]?, profit: [Int64], balance: [Int64], rfmSum: [Int], p: TierParameters, threads: Int = 1) -> Result {
        let n = profit.count
        let ranks = mapJobs(4, threads: threads) { k -> [Double]? in
            switch k {
            case 0: clv.map(percentRanks)
            case 1: percentRanks(profit)
            case 2: percentRanks(balance)
            default: percentRanks(rfmSum.map { Int64($0) })
            }
        }
        let clvRank = ranks[0], profitRank = ranks[1]!, balanceRank = ranks[2]!, rfmRank = ranks[3]!
        var w = (clv: p.weightClv, profit: p.weightProfit, balance: p.weightBalance, rfm: p.weightRfm)
        if clvRank == nil { w.clv = 0 }
        let total = w.clv + w.profit + w.balance + w.rfm
        w = (w.clv / total, w.profit / total, w.balance / total, w.rfm / total)
        var score = [Double](repeating: 0, count: n)
        var components: [ValueComponents] = []
        components.reserveCapacity(n)
        for i in 0..<n {
            let c = ValueComponents(clv: clvRank?[i], profit: profitRank[i], balance: balanceRank[i], rfm: rfmRank[i])
            score[i] = w.clv * (c.clv ?? 0) + w.profit * c.profit + w.balance * c.balance + w.rfm * c.rfm
            components.append(c)
        }
        // Best score first, ties by position.
        let order = RadixOrder.ascending(score.map { ~RadixOrder.key($0) }).order
        let cutA = Int((p.shareA * Double(n)).rounded())
        let cutB = Int(((p.shareA + p.shareB) * Double(n)).rounded())
        let cutC = Int(((p.shareA + p.shareB + p.shareC) * Double(n)).rounded())
        var tier = [Tier](repeating: .d, count: n)
        var rank = [Int](repeating: 0, count: n)
        for (position, at) in order.enumerated() {
            let i = Int(at)
            rank[i] = position + 1
            tier[i] = position < cutA ? .a : position < cutB ? .b : position < cutC ? .c : .d
        }
        let threshold = Int64((p.privateBankingThreshold * Double(Money.scale)).rounded())
        var privateBanking = [Bool](repeating: false, count: n)
        for i in 0..<n where balance[i] >= threshold {
            privateBanking[i] = true
            tier[i] = .a
        }
        return Result(tier: tier, valueScore: score, components: components, rank: rank, privateBanking: privateBanking, weightsUsed: w)
    }

    /// The first stage of metrics.md that applies.
    public static func lifecycle(flags: ChurnFlags, tenureDays: Int?, r: UInt8, f: UInt8, p: TierParameters) -> Lifecycle {
        if flags.contains(.dormant) { return .dormant }
        if !flags.isEmpty { return .declining }
        let tenure = tenureDays ?? 0
        if tenure < p.newDays { return .new }
        if tenure >= p.loyalYears * 365 && r >= 4 && f >= 4 { return .loyal }
        if tenure < p.growingYears * 365 && f >= 3 { return .growing }
        return .mature
    }
}
