import Testing
@testable import TierwiseAnalytics

/// Customers out of id order: one with two products (three accounts) and a savings account
/// closed before the window, one with none, one with a credit card and an empty savings account.
func mixedHoldingsBank() -> Bank {
    var bank = Bank()
    let two = bank.customer("C2", profile: CustomerProfile(riskRating: 4, manager: "M1"))
    let none = bank.customer("C0", profile: CustomerProfile(segment: "retail", manager: "M2"))
    let loan = bank.customer("C1", profile: CustomerProfile(branch: "BR7", manager: "M1"))
    let checking = bank.account(two, .checking, balance: 1234.56, rate: 0.001)
    bank.account(two, .checking, balance: 10, openedDaysAgo: 200, rate: 0.002)
    bank.account(two, .mortgage, balance: 250_000.01, rate: 0.031)
    bank.account(two, .savings, balance: 0, openedDaysAgo: 3000, closedDaysAgo: 1000)
    bank.account(loan, .creditCard, balance: 812.3, openedDaysAgo: 100, rate: 0.19)
    bank.account(loan, .savings, balance: 0, openedDaysAgo: 10)
    bank.txn(two, daysAgo: 40, amount: -300.25, type: .transfer, channel: .online, account: checking)
    bank.txn(none, daysAgo: 3, amount: -5)
    return bank
}

/// The per-product figures as the table held them before it was sparse: one dense column
/// per product, summed in account order.
struct DenseFigures {
    var balanceDays, balanceDaysRate: [[Double]]
    var balance: [[Int64]]
    var openAccounts: [[Int32]]

    init(_ bank: Bank) {
        let n = bank.ids.count, products = Product.allCases.count
        let order = bank.ids.indices.sorted { bank.ids[$0].utf8.lexicographicallyPrecedes(bank.ids[$1].utf8) }
        var row = [Int](repeating: 0, count: n)
        for (k, i) in order.enumerated() { row[i] = k }
        balanceDays = Array(repeating: Array(repeating: 0, count: n), count: products)
        balanceDaysRate = balanceDays
        balance = Array(repeating: Array(repeating: 0, count: n), count: products)
        openAccounts = Array(repeating: Array(repeating: 0, count: n), count: products)
        for a in bank.accounts {
            let c = row[Int(a.customer)], p = Int(a.product.rawValue)
            if let range = a.openRange(in: bank.window), let adb = a.averageDailyBalance(in: bank.window) {
                let days = Double(range.upperBound - range.lowerBound + 1)
                balanceDays[p][c] += adb * days
                balanceDaysRate[p][c] += adb * days * (a.interestRate ?? 0)
            }
            if a.isOpen(at: bank.asOf) {
                openAccounts[p][c] += 1
                balance[p][c] += a.balance
            }
        }
    }
}

@Test func holdingsGiveTheDenseFiguresToTheBit() {
    let bank = mixedHoldingsBank()
    let t = bank.table(), dense = DenseFigures(bank)
    #expect(t.ids == ["C0", "C1", "C2"])
    for i in 0..<t.count {
        for p in Product.allCases {
            let k = Int(p.rawValue)
            #expect(t.holdings.balanceDays(p, i).bitPattern == dense.balanceDays[k][i].bitPattern)
            #expect(t.holdings.balanceDaysRate(p, i).bitPattern == dense.balanceDaysRate[k][i].bitPattern)
            #expect(t.holdings.balance(p, i) == dense.balance[k][i])
            #expect(t.holdings.openAccounts(p, i) == dense.openAccounts[k][i])
        }
        #expect(t.relationshipBalance(i) == Product.allCases.reduce(0) { $0 + Int64(dense.balance[Int($1.rawValue)][i].magnitude) })
        #expect(t.openAccountTotal(i) == Product.allCases.reduce(0) { $0 + Int(dense.openAccounts[Int($1.rawValue)][i]) })
    }
    // An entry per product held, in product order; the closed savings account still holds one.
    #expect(t.holdings.entries(0).isEmpty)
    #expect(t.holdings.entries(1) == 0..<2 && t.holdings.entry(.creditCard, 1) == 1)
    #expect(t.holdings.entries(2).count == 3)
    #expect([Product.checking, .savings, .mortgage].map { t.holdings.entry($0, 2) } == [2, 3, 4])
    #expect(t.holdings.openAccounts(.checking, 2) == 2 && t.holdings.balance(.checking, 2) == 12_445_600)
    #expect(t.holdings.balance(.mortgage, 2) == 2_500_000_100 && t.holdings.balanceDays(.mortgage, 0) == 0)
}

@Test func profitOverHoldingsMatchesTheDenseComputation() {
    let bank = mixedHoldingsBank()
    let t = bank.table(), dense = DenseFigures(bank)
    let p = ProfitParameters(), annual = t.window.annualFactor
    for i in 0..<t.count {
        var nii = 0.0, loss = 0.0, cost = 0.0
        let pd = t.riskRating[i] >= 1 ? p.pdByRisk[Int(t.riskRating[i]) - 1] : p.pdUnrated
        for product in Product.allCases {
            let k = Int(product.rawValue), ftp = p.ftpRates[product.name] ?? 0
            if product.isDeposit {
                nii += (ftp * dense.balanceDays[k][i] - dense.balanceDaysRate[k][i]) / 365 * annual
            } else if product.isLending {
                nii += (dense.balanceDaysRate[k][i] - ftp * dense.balanceDays[k][i]) / 365 * annual
                loss += Money.toDouble(dense.balance[k][i]) * pd * (p.lgd[product.name] ?? 0)
            }
            cost += Double(dense.openAccounts[k][i]) * (p.accountCost[product.name] ?? 0)
        }
        let channelCosts = Channel.allCases.map { p.channelCost[$0.name] ?? 0 } + [p.unknownChannelCost]
        var channelCost = 0.0
        for c in channelCosts.indices { channelCost += Double(t.channelCounts[c][i]) * channelCosts[c] }
        cost += channelCost * annual
        let parts = Profitability.parts(t, i, p)
        #expect(parts.netInterestIncome == Profitability.units(nii))
        #expect(parts.expectedLoss == Profitability.units(loss))
        #expect(parts.costToServe == Profitability.units(cost))
    }
    #expect(Profitability.parts(t, 2, p).expectedLoss! > 0 && Profitability.parts(t, 0, p).netInterestIncome == 0)
}

@Test func holdingsFromDenseColumnsRoundTrip() {
    let t = mixedHoldingsBank().table()
    let h = t.holdings
    let loaded = ProductHoldings(balanceDays: Product.allCases.map { h.dense(\.balanceDays, $0) },
                                 balanceDaysRate: Product.allCases.map { h.dense(\.balanceDaysRate, $0) },
                                 balance: Product.allCases.map { h.dense(\.balance, $0) },
                                 openAccounts: Product.allCases.map { h.dense(\.openAccounts, $0) })
    #expect(loaded == h)
    #expect(h.dense(\.balance, .mortgage) == [0, 0, 2_500_000_100])
    #expect(h.dense(\.openAccounts, .checking) == [0, 0, 2] && h.dense(\.openAccounts, .savings) == [0, 1, 0])
    // The savings account closed before the window leaves only zeros: no entry once loaded.
    #expect(h.entry(.savings, 2) != nil && loaded.entry(.savings, 2) == nil)
    #expect(loaded.balance.count == h.balance.count - 1)

    var changed = h
    changed.balance[h.entry(.mortgage, 2)!] += 1
    #expect(changed != h)
    #expect(ProductHoldings(held: [0, 0, 0]) != h)
}

@Test func codedStringsReadLikeTheStrings() {
    let strings = ["M1", "", "M2", "M1", "M1", "", "M3"]
    let coded = CodedStrings(strings)
    #expect(Array(coded) == strings)
    #expect(coded.values == ["M1", "", "M2", "M3"])
    #expect(coded.codes == [0, 1, 2, 0, 0, 1, 3])
    #expect(coded[1].isEmpty && coded[6] == "M3" && coded.count == 7)

    // Equal by rows, whatever order the values first came in.
    var built = CodedStrings()
    for s in strings.reversed() { built.append(s) }
    #expect(built.values.first == "M3")
    #expect(CodedStrings(Array(built.reversed())) == coded)
    #expect(built != coded)
    #expect(CodedStrings(["a"]) != CodedStrings(["a", "a"]))

    let t = mixedHoldingsBank().table()
    #expect(Array(t.manager) == ["M2", "M1", "M1"] && t.manager.values == ["M2", "M1"])
    #expect(Array(t.segment) == ["retail", "", ""] && Array(t.branch) == ["", "BR7", ""])
}

/// Reordering moves rows without hashing each again: values come out in the new order of
/// first appearance, unused ones are dropped, and appending afterwards reuses the codes.
@Test func codedStringsReorderKeepsRowsAndRenumbersValues() {
    var coded = CodedStrings(["M1", "", "M2", "M1"])
    coded.set(2, "M3")  // M2 is no longer used
    var moved = coded.reordered([3, 2, 1, 0])
    #expect(Array(moved) == ["M1", "M3", "", "M1"])
    #expect(moved.values == ["M1", "M3", ""] && moved.codes == [0, 1, 2, 0])
    moved.append("M3"); moved.append(""); moved.append("M4")
    #expect(moved.codes.suffix(3) == [1, 2, 3] && moved.values.count == 4)
}

/// A dump's row is coded from its field's bytes: the same codes as from strings, nil and
/// empty both read as "", and two spellings that Swift's `String` compares equal (a
/// precomposed é and e + combining acute) stay two values, each read back as written.
@Test func codedStringsFromBytes() {
    var coded = CodedStrings(["", "", "", "", ""])
    func set(_ i: Int, _ s: String?) {
        guard let s else { coded.set(i, bytes: nil); return }
        var text = s
        text.withUTF8 { coded.set(i, bytes: UnsafeRawBufferPointer($0)) }
    }
    set(0, "M1"); set(1, nil); set(2, "M2"); set(3, "M1"); set(4, "")
    #expect(Array(coded) == ["M1", "", "M2", "M1", ""])
    #expect(coded.codes[0] == coded.codes[3] && coded.codes[1] == coded.codes[4] && coded.codes[0] != coded.codes[2])
    set(1, "Ren\u{E9}"); set(2, "Rene\u{301}")
    #expect(coded.codes[1] != coded.codes[2])
    #expect(Array(coded[1].utf8) == Array("Ren\u{E9}".utf8) && Array(coded[2].utf8) == Array("Rene\u{301}".utf8))
    coded.append("Ren\u{E9}")
    #expect(coded.codes[5] == coded.codes[1])
}

/// Ingest's empty profile for a new customer reads like `CustomerProfile()`, and setting a
/// row afterwards from bytes gives what the fields said.
@Test func profileTableEmptyRowsAndRowsFromBytes() {
    var table = ProfileTable()
    table.appendEmpty()
    table.append(CustomerProfile(segment: "retail"))
    table.appendEmpty()
    #expect(table[0] == CustomerProfile() && table[2] == CustomerProfile() && table[1].segment == "retail")
    var segment = "sme", manager = "M7"
    segment.withUTF8 { s in
        manager.withUTF8 { m in
            table.set(2, onboardedOn: Day("2024-05-01"), riskRating: 4, segment: UnsafeRawBufferPointer(s), branch: nil, manager: UnsafeRawBufferPointer(m))
        }
    }
    #expect(table[2] == CustomerProfile(onboardedOn: Day("2024-05-01"), segment: "sme", riskRating: 4, branch: nil, manager: "M7"))
    #expect(table[0] == CustomerProfile())
}

/// Ids already in byte order skip the sort; the table must be the one the sort would give:
/// the same customers added in another order make the same rows.
@Test func idsAlreadyInOrderGiveTheSameTableAsTheSort() {
    func bank(_ names: [String]) -> Bank {
        var bank = Bank()
        for name in names {
            let c = bank.customer(name, profile: CustomerProfile(manager: "M" + name))
            let k = Int(name.dropFirst())!
            bank.account(c, .checking, balance: Double(100 * (k + 1)))
            for day in 0...k { bank.txn(c, daysAgo: 5 + 7 * day, amount: -Double(k + 2)) }
        }
        return bank
    }
    let sorted = bank(["C0", "C1", "C10", "C2"]).table(), shuffled = bank(["C2", "C10", "C0", "C1"]).table()
    #expect(sorted.ids == ["C0", "C1", "C10", "C2"])
    #expect(shuffled.ids == sorted.ids)
    #expect(shuffled.frequency == sorted.frequency && sorted.frequency == [1, 2, 11, 3])
    #expect(shuffled.monetary == sorted.monetary)
    #expect(shuffled.recencyDays == sorted.recencyDays)
    #expect(shuffled.depositBalance == sorted.depositBalance)
    #expect((0..<4).map { sorted.manager[$0] } == ["MC0", "MC1", "MC10", "MC2"])
    #expect((0..<4).map { shuffled.manager[$0] } == ["MC0", "MC1", "MC10", "MC2"])
}

/// The table built in parts on several threads is the table built on one: 6,000 customers
/// whose ids are not in byte order (different lengths, numbered out of order), with
/// transactions, accounts and profiles. Its ids are in byte order, and the RFM-only build
/// gives the same ids and RFM columns.
@Test(arguments: [2, 3, 8])
func featureTableBuiltInPartsIsTheTableBuiltInOne(threads: Int) {
    var bank = Bank()
    for k in 0..<6_000 {
        let number = (k * 7_919) % 6_000
        let c = bank.customer("C\(number)" + (number % 5 == 0 ? "x" : ""),
                              profile: CustomerProfile(riskRating: Int8(1 + k % 9), manager: "M\(k % 13)"))
        if k % 3 != 0 { bank.txn(c, daysAgo: 1 + k % 400, amount: -Double(1 + k % 97), channel: k % 4 == 0 ? nil : .online) }
        if k % 4 == 0 { bank.account(c, .savings, balance: Double(k), openedDaysAgo: 30 + k % 900, rate: 0.01) }
    }
    let one = bank.table()
    #expect(zip(one.ids, one.ids.dropFirst()).allSatisfy { $0.utf8.lexicographicallyPrecedes($1.utf8) })
    let parts = FeatureTable.build(ids: bank.ids, profiles: ProfileTable(bank.profiles), activity: bank.activity, accounts: bank.accounts,
                                   window: bank.window, hasAccounts: true, hasCustomers: true, hasChannel: true, hasFees: true, hasTypes: true,
                                   threads: threads)
    #expect(parts == one)
    // Each row is its customer's: the tenure comes from the earliest account opening, else the first transaction.
    let index = Dictionary(uniqueKeysWithValues: bank.ids.enumerated().map { ($1, $0) })
    var opening = [Int32](repeating: Int32.max, count: bank.ids.count)
    for a in bank.accounts { if let o = a.openedOn { opening[Int(a.customer)] = min(opening[Int(a.customer)], o.number) } }
    #expect(one.ids.indices.allSatisfy { k in
        let i = index[one.ids[k]]!
        return one.tenureStart[k] == (opening[i] != Int32.max ? opening[i] : bank.activity[i].firstDay?.number ?? Int32.min)
            && one.frequency[k] == bank.activity[i].windowCount
    })
    let rfm = FeatureTable.buildRFM(ids: bank.ids, activity: bank.activity, window: bank.window, hasAccounts: true, hasCustomers: true,
                                    hasChannel: true, hasFees: true, hasTypes: true, threads: threads)
    #expect(rfm.ids == one.ids && rfm.recencyDays == one.recencyDays && rfm.frequency == one.frequency && rfm.monetary == one.monetary)
}
