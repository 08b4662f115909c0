import Foundation
import Testing
import TierwiseTestSupport

/// Ingest keeps a customer's purchase days of the last 2.7 years in a bit set beside the
/// customer's record and the older ones in a set of the customer's own. Customers with days
/// on both sides, only older ones, only recent ones, out of order and repeated, and with
/// interest and fees (not purchases) must each have exactly their distinct purchase days,
/// as `explain` reports them, on one thread and on several.
@Test func purchaseDaysAreCountedAcrossSixYears() throws {
    let folder = TestSupport.temporaryFolder("e2e-days")
    var utc = Calendar(identifier: .gregorian)
    utc.timeZone = TimeZone(identifier: "UTC")!
    let asOf = utc.date(from: DateComponents(year: 2026, month: 10, day: 31))!
    let format = DateFormatter()
    format.calendar = utc
    format.timeZone = utc.timeZone
    format.dateFormat = "yyyy-MM-dd"
    func day(_ back: Int) -> String { format.string(from: utc.date(byAdding: .day, value: -back, to: asOf)!) }
    var random = SplitMix64(state: 5)
    var lines = ["txn_id,customer_id,booked_at,amount,type"]
    var expected: [String: Int] = [:]
    func add(_ customer: String, _ backs: [Int], type: String = "card") {
        for back in backs { lines.append("T\(lines.count),\(customer),\(day(back)),-1.00,\(type)") }
    }
    // Both sides of 1,024 days back, in random order, with repeats.
    let mixed = (0..<80).map { _ in random.below(2_200) }
    add("C1", mixed + mixed.prefix(20))
    expected["C1"] = Set(mixed).count
    // Only older days, and only recent days in order.
    let old = (0..<30).map { _ in 1_100 + random.below(1_000) }
    add("C2", old)
    expected["C2"] = Set(old).count
    let recent = Array(Set((0..<40).map { _ in random.below(900) })).sorted(by: >)
    add("C3", recent)
    expected["C3"] = recent.count
    // Around the edge of the recent days, whichever weekday the as-of date falls on.
    let edge = Array(955...1_040)
    add("C4", edge.reversed())
    add("C4", [5, 2_000], type: "interest")
    add("C4", [6, 2_001], type: "fee")
    expected["C4"] = edge.count
    // Many customers between them, so that several threads fold.
    for c in 0..<2_000 { add("D\(c)", [c % 700, 1_500 + c % 300]) }
    let input = folder + "/t.csv"
    try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
    for threads in [1, 3] {
        let out = folder + "/out\(threads)"
        let r = try TestSupport.run(["run", "--transactions", input, "--as-of", "2026-10-31", "--output", out, "--threads", "\(threads)"])
        #expect(r.status == 0, "\(r.stderr)")
        for (customer, days) in expected {
            let explained = try TestSupport.run(["explain", customer, "--run", out + "/2026-10-31"])
            #expect(explained.status == 0, "\(explained.stderr)")
            #expect(explained.stdout.contains("purchase days: \(days);"), "\(customer) on \(threads) threads: \(explained.stdout)")
        }
    }
}
