/// The churn stage's result for every customer: flags and reasons, the bank's CLV (which
/// needs both the CLV and the profit stages) and the value at risk.
public struct ChurnTable: Sendable, Equatable {
    public init(flags: [ChurnFlags], severity: [Severity], reasons: [String], clv: [Int64?], valueAtRisk: [Int64?], unchecked: [String]) {
        self.flags = flags
        self.severity = severity
        self.reasons = reasons
        self.clv = clv
        self.valueAtRisk = valueAtRisk
        self.unchecked = unchecked
    }

    public var flags: [ChurnFlags]
    public var severity: [Severity]
    /// Reasons joined with "; ", one per flag, in flag order.
    public var reasons: [String]
    public var clv: [Int64?]
    public var valueAtRisk: [Int64?]
    /// Rules that could not be checked for anyone, and why.
    public var unchecked: [String]

    public static func compute(_ t: FeatureTable, clv: CLVTable, profit: ProfitTable, _ p: ChurnParameters, threads: Int) -> ChurnTable {
        let n = t.count
        var flags = [ChurnFlags](repeating: [], count: n)
        var severity = [Severity](repeating: .none, count: n)
        var reasons = [String](repeating: "", count: n)
        var bankCLV = [Int64?](repeating: nil, count: n)
        var valueAtRisk = [Int64?](repeating: nil, count: n)
        // Every column is written in the chunks, each customer's row by one chunk, and the rules
        // left unchecked are gathered per chunk: building the columns from an array of
        // assessments afterwards, on one thread, had taken longer than the rules themselves.
        let chunk = 16_384
        var uncheckedByChunk = [Set<String>](repeating: [], count: (n + chunk - 1) / chunk)
        flags.withUnsafeMutableBufferPointer { flags in
            severity.withUnsafeMutableBufferPointer { severity in
                reasons.withUnsafeMutableBufferPointer { reasons in
                    bankCLV.withUnsafeMutableBufferPointer { bankCLV in
                        valueAtRisk.withUnsafeMutableBufferPointer { valueAtRisk in
                            uncheckedByChunk.withUnsafeMutableBufferPointer { uncheckedByChunk in
                                forEachChunk(n, threads: threads, chunk: chunk) { range in
                                    var unchecked = Set<String>()
                                    for i in range {
                                        let pAlive = clv.pAlive.flatMap { $0[i].isNaN ? nil : $0[i] }
                                        let a = ChurnRules.assess(t, i, p, pAlive: pAlive)
                                        let bank = clv.available ? (clv.bankCLV(i, profit: profit.profit[i], frequency: t.frequency[i]) ?? 0) : nil
                                        flags[i] = a.flags
                                        severity[i] = a.severity
                                        reasons[i] = a.reasons.joined(separator: "; ")
                                        bankCLV[i] = bank
                                        valueAtRisk[i] = ChurnRules.valueAtRisk(flags: a.flags, clv: bank, pAlive: pAlive ?? (bank == nil ? nil : 0))
                                        // A customer without purchases has no P(alive) even when the model
                                        // fitted; that is not the rule going unchecked.
                                        for u in a.unchecked where !u.hasPrefix("LOW_P_ALIVE") { unchecked.insert(u) }
                                    }
                                    uncheckedByChunk[range.lowerBound / chunk] = unchecked
                                }
                            }
                        }
                    }
                }
            }
        }
        // Rules unchecked for want of a dump or a model.
        var unchecked = uncheckedByChunk.reduce(into: Set<String>()) { $0.formUnion($1) }
        if !clv.available {
            unchecked.insert("LOW_P_ALIVE: no lifetime-value model")
            unchecked.insert("value at risk: no lifetime-value model")
        }
        return ChurnTable(flags: flags, severity: severity, reasons: reasons, clv: bankCLV, valueAtRisk: valueAtRisk, unchecked: unchecked.sorted())
    }
}

/// The tier stage's result: tiers, value scores, lifecycle, and movement against the previous run.
public struct TierTable: Sendable, Equatable {
    public init(result: Tiering.Result, lifecycle: [Lifecycle], previousTier: [Tier?], driver: [String]) {
        self.result = result
        self.lifecycle = lifecycle
        self.previousTier = previousTier
        self.driver = driver
    }

    public var result: Tiering.Result
    public var lifecycle: [Lifecycle]
    /// The tier in the previous run's customers.csv, when the customer was in it.
    public var previousTier: [Tier?]
    /// For customers whose tier moved: the component that moved the score most.
    public var driver: [String]

    /// Runs on up to `threads` threads (the ranks at the same time, then the customers in
    /// chunks); the result does not depend on `threads`.
    public static func compute(_ t: FeatureTable, rfm: RFMScores, profit: ProfitTable, churn: ChurnTable, clvAvailable: Bool,
                               previous: PreviousTiers, _ p: TierParameters, threads: Int = 1) -> TierTable {
        let n = t.count
        let clv: [Int64]? = clvAvailable ? churn.clv.map { $0 ?? 0 } : nil
        let result = Tiering.assign(clv: clv, profit: profit.profit, balance: (0..<n).map(t.relationshipBalance),
                                    rfmSum: (0..<n).map(rfm.scoreSum), p: p, threads: threads)
        var lifecycle = [Lifecycle](repeating: .new, count: n)
        var previousTier = [Tier?](repeating: nil, count: n)
        var driver = [String](repeating: "", count: n)
        lifecycle.withUnsafeMutableBufferPointer { lifecycle in
            previousTier.withUnsafeMutableBufferPointer { previousTier in
                driver.withUnsafeMutableBufferPointer { driver in
                    let (lifecycle, previousTier, driver) = (lifecycle, previousTier, driver)
                    forEachChunk(n, threads: threads) { range in
                        for i in range {
                            let tenure = t.tenureStart[i] == Int32.min ? nil : Int(t.window.asOf.number - t.tenureStart[i])
                            lifecycle[i] = Tiering.lifecycle(flags: churn.flags[i], tenureDays: tenure, r: rfm.r[i], f: rfm.f[i], p: p)
                            let before = previous.lookup(t.ids[i])
                            previousTier[i] = before?.tier
                            if let before, before.tier != result.tier[i] {
                                driver[i] = Tiering.driver(now: result.components[i], before: before.components, weights: result.weightsUsed,
                                                           up: result.tier[i] < before.tier, privateBanking: result.privateBanking[i])
                            }
                        }
                    }
                }
            }
        }
        return TierTable(result: result, lifecycle: lifecycle, previousTier: previousTier, driver: driver)
    }
}

extension Tiering {
    /// The component whose weighted percentile rank moved most in the direction of the move.
    public static func driver(now: ValueComponents, before: ValueComponents, weights: (clv: Double, profit: Double, balance: Double, rfm: Double),
                              up: Bool, privateBanking: Bool) -> String {
        if up && privateBanking { return "relationship balance reached the private-banking threshold" }
        let parts: [(String, Double)] = [
            ("lifetime value", weights.clv * ((now.clv ?? 0) - (before.clv ?? 0))),
            ("profit", weights.profit * (now.profit - before.profit)),
            ("relationship balance", weights.balance * (now.balance - before.balance)),
            ("RFM scores", weights.rfm * (now.rfm - before.rfm)),
        ]
        let best = parts.max { (up ? $0.1 < $1.1 : $0.1 > $1.1) }!
        if (up && best.1 <= 0) || (!up && best.1 >= 0) { return "other customers' scores moved (shares are by rank)" }
        let points = Int((abs(best.1) * 100).rounded())
        return "\(best.0) \(up ? "rose" : "fell") (\(points) score points)"
    }
}
