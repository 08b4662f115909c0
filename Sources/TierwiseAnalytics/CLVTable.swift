/// Per-customer lifetime-value figures, or the reason there are none (a fit that did not
/// converge leaves every column empty rather than printing numbers from it).
public struct CLVTable: Sendable, Equatable {
    /// Nil when the model could not be fitted; `unavailableReason` says why.
    public var pAlive: [Double]?
    public var expectedTransactions: [Double]?
    /// Gamma-Gamma spend value; nil when that model is unusable (q ≤ 1 or no repeat buyers).
    public var clvSpend: [Double]?
    /// Σ_k (E[Y(kΔ)] − E[Y((k−1)Δ)]) / (1+d)^k: discounted expected future transactions,
    /// which the bank's `clv` multiplies by profit per transaction.
    public var discountedTransactions: [Double]?
    public var unavailableReason: String?
    public var spendUnavailableReason: String?

    public init(pAlive: [Double]?, expectedTransactions: [Double]?, clvSpend: [Double]?, discountedTransactions: [Double]?,
                unavailableReason: String?, spendUnavailableReason: String?) {
        self.pAlive = pAlive
        self.expectedTransactions = expectedTransactions
        self.clvSpend = clvSpend
        self.discountedTransactions = discountedTransactions
        self.unavailableReason = unavailableReason
        self.spendUnavailableReason = spendUnavailableReason
    }

    public var available: Bool { pAlive != nil }

    /// The bank's CLV in money units: discounted future transactions × this customer's profit
    /// per customer-initiated transaction in the window (profit / max(frequency, 1), so a
    /// customer without transactions in the window still carries its yearly profit per visit).
    public func bankCLV(_ i: Int, profit: Int64, frequency: Int32) -> Int64? {
        guard let d = discountedTransactions?[i], d.isFinite else { return nil }
        let perTransaction = Double(profit) / Double(max(frequency, 1))
        return Money.derived(steps: d * perTransaction / 100, step: 100)
    }
}
