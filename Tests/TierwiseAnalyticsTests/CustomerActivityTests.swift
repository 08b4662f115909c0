import Testing
@testable import TierwiseAnalytics

/// The per-customer record that ingest folds every row into.
@Suite struct CustomerActivityTests {
    let window = AnalysisWindow(asOf: Day("2026-10-31")!)

    /// Ingest's fold keeps the records 64-byte aligned so that each takes exactly two cache
    /// lines (FoldPartitions); a field added past 128 bytes makes it three.
    @Test func recordTakesTwoCacheLines() {
        #expect(MemoryLayout<CustomerActivity>.stride == 128)
    }

    /// The days are kept as numbers with a sentinel for none: none before any row, and the
    /// first and last whatever order the rows come in.
    @Test func firstAndLastDaysInAnyRowOrder() {
        var a = CustomerActivity()
        #expect(a.firstDay == nil && a.firstInitiatedDay == nil && a.lastInitiatedDay == nil)
        let asOf = window.asOf
        a.fold(Transaction(day: asOf - 3, amount: 12_000, type: .interest, channel: nil), window: window)
        #expect(a.firstDay == asOf - 3)
        #expect(a.firstInitiatedDay == nil && a.lastInitiatedDay == nil)
        a.fold(Transaction(day: asOf - 10, amount: -20_000, type: .card, channel: .pos), window: window)
        a.fold(Transaction(day: asOf - 40, amount: -30_000, type: .card, channel: .pos), window: window)
        a.fold(Transaction(day: asOf - 40, amount: -5_000, type: .card, channel: .online), window: window)
        a.fold(Transaction(day: asOf - 2, amount: -1_000, type: .card, channel: .pos), window: window)
        #expect(a.firstDay == asOf - 40)
        #expect(a.firstInitiatedDay == asOf - 40)
        #expect(a.lastInitiatedDay == asOf - 2)
        // Both rows of the first day, whatever came before them.
        #expect(a.firstDayValue == 35_000)
        #expect(a.purchaseDays == 3)
        #expect(a.rows == 5)
        // A row of an earlier day replaces the first day's value.
        a.fold(Transaction(day: asOf - 41, amount: -7_000, type: .card, channel: .pos), window: window)
        #expect(a.firstInitiatedDay == asOf - 41 && a.firstDayValue == 7_000)
    }

    /// The days set and read back through the properties, as the saved work table does.
    @Test func daysRoundTripThroughTheProperties() {
        var a = CustomerActivity()
        a.lastInitiatedDay = Day(number: -5)
        a.firstInitiatedDay = Day(number: 0)
        a.firstDay = Day(number: 20_000)
        #expect(a.lastInitiatedDay == Day(number: -5) && a.firstInitiatedDay == Day(number: 0) && a.firstDay == Day(number: 20_000))
        a.firstDay = nil
        #expect(a.firstDay == nil)
        #expect(a != CustomerActivity() && { var b = a; b.lastInitiatedDay = nil; b.firstInitiatedDay = nil; return b == CustomerActivity() }())
    }
}
