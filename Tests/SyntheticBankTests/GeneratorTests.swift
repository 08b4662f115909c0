import Testing
@testable import SyntheticBank

/// Minimal CSV split (the generator never quotes); returns rows without the header.
func parse(_ text: String) -> (header: String, rows: [[Substring]]) {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.last == "", "file must end with a newline")
    lines.removeLast()
    let header = String(lines.removeFirst())
    return (header, lines.map { $0.split(separator: ",", omittingEmptySubsequences: false) })
}

/// FNV-1a 64 over the bytes, to pin output across platforms.
func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}

struct Dump {
    let options: GeneratorOptions
    let t: String, a: String, c: String
    let stats: GeneratorStats
    init(_ o: GeneratorOptions) throws {
        options = o
        (t, a, c, stats) = try generateCSV(o)
    }
}

@Suite struct GeneratorTests {
    static let small = GeneratorOptions(customers: 400, months: 12, seed: 11)

    @Test func determinism() throws {
        let x = try Dump(Self.small), y = try Dump(Self.small)
        #expect(x.t == y.t && x.a == y.a && x.c == y.c)
        #expect(x.stats == y.stats)
        var o = Self.small
        o.seed = 12
        let z = try Dump(o)
        #expect(z.t != x.t && z.a != x.a && z.c != x.c)
        // Sinks receive whole blocks; a TextSink adapter produces the same text.
        var t = TextSinkAdapter(StringCollector()), a = CountingSink(), c = CountingSink()
        try generate(Self.small, transactions: &t, accounts: &a, customers: &c)
        #expect(t.base.text == x.t)
        #expect(a.byteCount == x.a.utf8.count && c.lineCount == 401)
    }

    /// Pins the exact bytes; exp/log/samplers are platform-independent, so this must
    /// hold on Linux, macOS and Windows. Update only when the generator changes on purpose.
    @Test func goldenHash() throws {
        let d = try Dump(GeneratorOptions(customers: 150, months: 6, seed: 2026, badRows: 6))
        let hashes = [fnv1a(d.t), fnv1a(d.a), fnv1a(d.c)]
        #expect(hashes == Self.golden)
    }
    static let golden: [UInt64] = [12782489446187628660, 9958638364777255774, 8234318632115665924]

    @Test func headersFieldCountsDatesAndIds() throws {
        let d = try Dump(Self.small)
        let (th, tx) = parse(d.t), (ah, ac) = parse(d.a), (ch, cu) = parse(d.c)
        #expect(th == "txn_id,account_id,customer_id,booked_at,amount,currency,type,channel,fee")
        #expect(ah == "account_id,customer_id,product,opened_on,closed_on,balance,currency,interest_rate,credit_limit")
        #expect(ch == "customer_id,onboarded_on,segment,risk_rating,branch,manager_id")
        #expect(tx.allSatisfy { $0.count == 9 })
        #expect(ac.allSatisfy { $0.count == 9 })
        #expect(cu.allSatisfy { $0.count == 6 })
        #expect(tx.count == d.stats.transactions && ac.count == d.stats.accounts && cu.count == 400)
        #expect(tx.count > 10_000)

        let first = d.options.asOf.adding(months: -12)
        let asOf = d.options.asOf
        var prevDate = first
        var prevId = 0
        var badDates = 0, outOfOrder = 0, badIds = 0, badValues = 0
        let types = Set(TxnType.allCases.map(\.name)), channels = Set(Channel.allCases.map(\.name))
        for r in tx {
            guard let date = CivilDate(parsing: r[3]) else { badDates += 1; continue }
            if date <= first || date > asOf { badDates += 1 }  // first covered day is first + 1
            if date < prevDate { outOfOrder += 1 }
            prevDate = date
            let idText = r[0]
            if idText.count != 11 || !idText.hasPrefix("T") { badIds += 1 }
            let id = Int(idText.dropFirst()) ?? 0
            if id <= prevId { badIds += 1 }
            prevId = id
            if r[1].count != 10 || r[2].count != 9 { badIds += 1 }
            if Double(r[4]) == nil || r[4].split(separator: ".").last?.count != 2 { badValues += 1 }
            if !types.contains(String(r[6])) || !channels.contains(String(r[7])) { badValues += 1 }
            guard let fee = Double(r[8]), fee >= 0 else { badValues += 1; continue }
            if !["EUR", "USD", "GBP", "CHF"].contains(r[5]) { badValues += 1 }
        }
        #expect(badDates == 0 && outOfOrder == 0 && badIds == 0 && badValues == 0)
        #expect(prevId == tx.count)

        for r in ac {
            guard let opened = CivilDate(parsing: r[3]) else { Issue.record("bad opened_on \(r)"); continue }
            #expect(opened <= asOf)
            if !r[4].isEmpty {
                let closed = CivilDate(parsing: r[4])
                #expect(closed != nil && closed! > opened && closed! <= asOf)
                #expect(r[5] == "0.00")
            }
            #expect(Product.allCases.map(\.name).contains(String(r[2])))
            #expect((r[8].isEmpty) == (r[2] != "credit_card"))
            #expect(r[7].count == 6 && r[7].hasPrefix("0."))
        }
        for r in cu {
            #expect(CivilDate(parsing: r[1])! <= asOf)
            #expect(["retail", "sme", "private"].contains(r[2]))
            #expect((1...10).contains(Int(r[3]) ?? 0))
            #expect(r[4].hasPrefix("BR") && r[5].hasPrefix("M") && r[5].count == 5)
        }
    }

    @Test func referentialIntegrity() throws {
        let d = try Dump(Self.small)
        let (_, tx) = parse(d.t), (_, ac) = parse(d.a), (_, cu) = parse(d.c)
        let customerIds = Set(cu.map { String($0[0]) })
        #expect(customerIds.count == cu.count)
        var owner: [String: String] = [:]
        var openedOn: [String: CivilDate] = [:]
        var closedOn: [String: CivilDate] = [:]
        for r in ac {
            #expect(owner[String(r[0])] == nil)
            owner[String(r[0])] = String(r[1])
            openedOn[String(r[0])] = CivilDate(parsing: r[3])
            closedOn[String(r[0])] = CivilDate(parsing: r[4])
            #expect(customerIds.contains(String(r[1])))
        }
        // every customer has exactly one checking account
        var checking: [String: Int] = [:]
        for r in ac where r[2] == "checking" { checking[String(r[1]), default: 0] += 1 }
        #expect(checking.count == cu.count && checking.values.allSatisfy { $0 == 1 })
        var mismatches = 0, outsideLife = 0
        var txnIds = Set<Substring>()
        for r in tx {
            if owner[String(r[1])] != String(r[2]) { mismatches += 1 }
            let day = CivilDate(parsing: r[3])!
            if day < openedOn[String(r[1])]! { outsideLife += 1 }
            if let c = closedOn[String(r[1])], day > c { outsideLife += 1 }
            txnIds.insert(r[0])
        }
        #expect(mismatches == 0 && outsideLife == 0)
        #expect(txnIds.count == tx.count)
    }

    @Test func balancesAreSensible() throws {
        let d = try Dump(Self.small)
        let (_, ac) = parse(d.a)
        for r in ac {
            let bal = Double(r[5])!
            if r[2] != "checking" { #expect(bal >= 0, "\(r)") }
            // purchases never exceed the limit; monthly interest on a revolver may push it slightly over
            if r[2] == "credit_card" { #expect(bal <= Double(r[8])! * 1.1) }
        }
        // replaying the last 90 days never makes a deposit account negative
        let (_, tx) = parse(d.t)
        var flow: [Substring: Int64] = [:]
        let cutoff = d.options.asOf.daysSinceEpoch - 90
        for r in tx where CivilDate(parsing: r[3])!.daysSinceEpoch > cutoff {
            let cents = Int64((Double(r[4])! * 100).rounded()) - Int64((Double(r[8])! * 100).rounded())
            flow[r[1], default: 0] += cents
        }
        for r in ac where ["savings", "term_deposit", "investment"].contains(r[2]) && r[4].isEmpty {
            let now = Int64((Double(r[5])! * 100).rounded())
            #expect(now - flow[r[0], default: 0] >= 0, "\(r)")
        }
    }

    @Test(arguments: [0, 1, 7, 13])
    func badRowsExact(n: Int) throws {
        var o = GeneratorOptions(customers: 120, months: 4, seed: 5, badRows: n)
        let d = try Dump(o)
        o.badRows = 0
        let clean = try Dump(o)
        let (_, tx) = parse(d.t), (_, good) = parse(clean.t)
        #expect(d.stats.badRows == n && d.stats.transactions == clean.stats.transactions)
        #expect(tx.count == good.count + n)
        #expect(d.a == clean.a && d.c == clean.c)
        // classify
        let accounts = Set(parse(d.a).rows.map { $0[0] })
        var kinds = [Int](repeating: 0, count: 6)
        var seen = Set<Substring>()
        for r in tx {
            if r.count != 9 { kinds[5] += 1; continue }
            if CivilDate(parsing: r[3]) == nil { kinds[0] += 1 }
            if Double(r[4]) == nil { kinds[1] += 1 }
            if r[2].isEmpty && !accounts.contains(r[1]) { kinds[2] += 1 }
            if !seen.insert(r[0]).inserted { kinds[3] += 1 }
            if r[5] == "XYZ" { kinds[4] += 1 }
        }
        let expected = (0..<6).map { k in n / 6 + (k < n % 6 ? 1 : 0) }
        #expect(kinds == expected)
    }

    @Test func invalidOptionsThrow() {
        var t = CountingSink(), a = CountingSink(), c = CountingSink()
        #expect(throws: GeneratorError.self) {
            try generate(GeneratorOptions(customers: 10, months: 0), transactions: &t, accounts: &a, customers: &c)
        }
        #expect(throws: GeneratorError.self) {
            try generate(GeneratorOptions(customers: 10, asOf: CivilDate(year: 2026, month: 2, day: 30)),
                         transactions: &t, accounts: &a, customers: &c)
        }
    }
}

struct StringCollector: TextSink {
    var text = ""
    mutating func write(_ s: String) throws { text += s }
}
