import Testing
@testable import SyntheticBank

/// Scans the transactions stream as bytes (fast even in debug builds), tracking per
/// customer: row count, last booking day, salary days.
struct ScanSink: ByteSink {
    var rows: [Int]
    var lastDay: [Int]
    var lastSalary: [Int]
    var salaryRows = 0
    var line: [UInt8] = []
    var headerSeen = false
    init(customers: Int) {
        rows = Array(repeating: 0, count: customers + 1)
        lastDay = Array(repeating: Int.min, count: customers + 1)
        lastSalary = Array(repeating: Int.min, count: customers + 1)
    }
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        for b in bytes {
            if b == 10 { handle(); line.removeAll(keepingCapacity: true) } else { line.append(b) }
        }
    }
    mutating func handle() {
        if !headerSeen { headerSeen = true; return }
        // T0000000001,A000000003,C00000001,2026-03-04,...  fixed offsets
        var cust = 0
        for i in 24..<32 { cust = cust * 10 + Int(line[i] - 48) }
        func num(_ r: Range<Int>) -> Int { var v = 0; for i in r { v = v * 10 + Int(line[i] - 48) }; return v }
        let day = CivilDate(year: num(33..<37), month: num(38..<40), day: num(41..<43)).daysSinceEpoch
        rows[cust] += 1
        lastDay[cust] = max(lastDay[cust], day)
        // type field: after amount and currency
        var commas = 0, i = 0
        while commas < 6 { if line[i] == 44 { commas += 1 }; i += 1 }
        if line[i] == 115 && line[i + 1] == 97 {  // "sa"lary
            salaryRows += 1
            lastSalary[cust] = max(lastSalary[cust], day)
        }
    }
}

@Suite struct SharesTests {
    @Test func sharesOn20kCustomers() throws {
        let n = 20_000
        let o = GeneratorOptions(customers: n, months: 12, seed: 77, activityScale: 0.1)
        var scan = ScanSink(customers: n)
        var a = CountingSink(), c = CountingSink()
        let stats = try generate(o, transactions: &scan, accounts: &a, customers: &c)
        let asOf = o.asOf.daysSinceEpoch
        var never = 0, dormant = 0, salaried = 0, stopped = 0
        for id in 1...n {
            if scan.rows[id] == 0 { never += 1; continue }
            if scan.lastDay[id] <= asOf - 91 { dormant += 1 }
            if scan.lastSalary[id] != Int.min {
                salaried += 1
                if scan.lastSalary[id] <= asOf - 46 && scan.lastSalary[id] >= asOf - 200 { stopped += 1 }
            }
        }
        let N = Double(n)
        print("never \(never) dormant \(dormant) salaried \(salaried) stopped \(stopped) stats \(stats)")
        #expect(abs(Double(never) / N - 0.05) < 0.012)
        // lapsed customers all go quiet >= 91 days before as-of (half 91-180 days, half earlier)
        #expect(abs(Double(dormant) / N - 0.12) < 0.02)
        #expect(abs(Double(stats.lapsedDormant) / N - 0.06) < 0.01)
        #expect(abs(Double(salaried) / N - 0.15) < 0.015)
        #expect(abs(Double(stopped) / Double(salaried) - 0.20) < 0.04)
        #expect(abs(Double(stats.newCustomers) / N - 0.15) < 0.015)
        #expect(abs(Double(stats.activityDrop) / N - 0.08) < 0.015)
        #expect(abs(Double(stats.balanceDrop) / N - 0.05) < 0.01)
        #expect(stats.heavyBusiness > 10 && stats.largeInvestment > 50)
        #expect(stats.closedLast90Days > 0 && stats.closedAccounts > stats.closedLast90Days)
        // plan and output agree
        #expect(stats.salaried == salaried)
        #expect(stats.salaryStopped == stopped)
        #expect(stats.transactions == scan.rows.reduce(0, +))
    }
}
