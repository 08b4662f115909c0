/// Per customer and product: Σ over the window of daily balances (currency-unit days), the
/// same weighted by each account's rate, the balance at the as-of date, and the accounts
/// open at the as-of date.
///
/// A customer has accounts of about two of the seven products, so the figures are kept only
/// for the products a customer holds (compressed sparse rows): customer i's entries are
/// `entries(i)`, one per product held, in product order. Dense columns took 196 bytes per
/// customer, nearly all zeros; this takes 5 per customer and 28 per product held. The
/// accessors give 0 for a product not held, as the dense columns did, so a sum over all
/// products comes out the same to the bit.
public struct ProductHoldings: Sendable, Equatable {
    /// Per customer, bit `Product.rawValue` set for each product held (seven fit a byte).
    public private(set) var held: [UInt8] = []
    /// Customer i's entries are `start[i]..<start[i + 1]`.
    public private(set) var start: [Int32] = [0]
    public internal(set) var balanceDays: [Double] = []
    public internal(set) var balanceDaysRate: [Double] = []
    public internal(set) var balance: [Int64] = []
    public internal(set) var openAccounts: [Int32] = []

    public init() {}

    /// Entries of zeros for the products each customer holds.
    ///
    /// - Complexity: O(c) for c customers.
    public init(held: [UInt8]) {
        precondition(Product.allCases.count <= UInt8.bitWidth, "a product bit per product must fit in `held`")
        self.held = held
        start.reserveCapacity(held.count + 1)
        var total: Int32 = 0
        for products in held {
            total += Int32(products.nonzeroBitCount)
            start.append(total)
        }
        balanceDays = [Double](repeating: 0, count: Int(total))
        balanceDaysRate = balanceDays
        balance = [Int64](repeating: 0, count: Int(total))
        openAccounts = [Int32](repeating: 0, count: Int(total))
    }

    /// From dense columns, one per product (by `Product.rawValue`) of each figure, as the work
    /// folder keeps them: an entry wherever one of the four figures is not zero.
    ///
    /// - Complexity: O(c) for c customers.
    public init(balanceDays: [[Double]], balanceDaysRate: [[Double]], balance: [[Int64]], openAccounts: [[Int32]]) {
        let n = balance.first?.count ?? 0
        var held = [UInt8](repeating: 0, count: n)
        for p in Product.allCases {
            let k = Int(p.rawValue)
            for i in 0..<n where balanceDays[k][i] != 0 || balanceDaysRate[k][i] != 0 || balance[k][i] != 0 || openAccounts[k][i] != 0 {
                held[i] |= 1 << p.rawValue
            }
        }
        self.init(held: held)
        for i in 0..<n {
            for p in Product.allCases {
                guard let e = entry(p, i) else { continue }
                let k = Int(p.rawValue)
                self.balanceDays[e] = balanceDays[k][i]
                self.balanceDaysRate[e] = balanceDaysRate[k][i]
                self.balance[e] = balance[k][i]
                self.openAccounts[e] = openAccounts[k][i]
            }
        }
    }

    /// The number of customers.
    public var count: Int { held.count }

    /// Customer i's entries, in product order.
    @inline(__always)
    public func entries(_ i: Int) -> Range<Int> { Int(start[i])..<Int(start[i + 1]) }

    /// The entry of customer i's product p; nil when the customer holds none of it. The
    /// products held before p in bit order are the entries before it.
    ///
    /// - Complexity: O(1).
    @inline(__always)
    public func entry(_ p: Product, _ i: Int) -> Int? {
        let bit = UInt8(1) << p.rawValue
        guard held[i] & bit != 0 else { return nil }
        return Int(start[i]) + (held[i] & (bit - 1)).nonzeroBitCount
    }

    public func balanceDays(_ p: Product, _ i: Int) -> Double { entry(p, i).map { balanceDays[$0] } ?? 0 }
    public func balanceDaysRate(_ p: Product, _ i: Int) -> Double { entry(p, i).map { balanceDaysRate[$0] } ?? 0 }
    public func balance(_ p: Product, _ i: Int) -> Int64 { entry(p, i).map { balance[$0] } ?? 0 }
    public func openAccounts(_ p: Product, _ i: Int) -> Int32 { entry(p, i).map { openAccounts[$0] } ?? 0 }

    /// One figure of product p for every customer, 0 where it is not held: a dense column
    /// as the work folder keeps it. Inlinable, so that callers get it specialised: called
    /// generically it took a second for 150k customers.
    @inlinable
    public func dense<T: AdditiveArithmetic>(_ figure: KeyPath<ProductHoldings, [T]>, _ p: Product) -> [T] {
        let values = self[keyPath: figure]
        var column = [T](repeating: .zero, count: count)
        for i in 0..<count { if let e = entry(p, i) { column[i] = values[e] } }
        return column
    }

    /// Equal when every accessor gives the same figure: an entry of zeros is the same as none.
    /// (A table built from the accounts has one for an account closed before the window; the
    /// same table loaded from the work folder has none.)
    public static func == (a: ProductHoldings, b: ProductHoldings) -> Bool {
        a.count == b.count && (0..<a.count).allSatisfy { i in
            Product.allCases.allSatisfy { p in
                a.balanceDays(p, i) == b.balanceDays(p, i) && a.balanceDaysRate(p, i) == b.balanceDaysRate(p, i)
                    && a.balance(p, i) == b.balance(p, i) && a.openAccounts(p, i) == b.openAccounts(p, i)
            }
        }
    }
}
