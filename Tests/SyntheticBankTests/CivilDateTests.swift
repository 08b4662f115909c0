import Testing
@testable import SyntheticBank

@Suite struct CivilDateTests {
    @Test func anchors() {
        #expect(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch == 0)
        #expect(CivilDate(year: 2026, month: 10, day: 31).daysSinceEpoch == 20757)
        #expect(CivilDate(year: 1900, month: 1, day: 1).daysSinceEpoch == -25567)
        #expect(CivilDate(year: 2100, month: 12, day: 31).daysSinceEpoch == 47846)
        #expect(CivilDate(daysSinceEpoch: 20757) == CivilDate(year: 2026, month: 10, day: 31))
        #expect(CivilDate(year: 2000, month: 2, day: 29).description == "2000-02-29")
    }

    @Test func roundTrip1900to2100() {
        let lo = CivilDate(year: 1900, month: 1, day: 1).daysSinceEpoch
        let hi = CivilDate(year: 2100, month: 12, day: 31).daysSinceEpoch
        var prev = CivilDate(daysSinceEpoch: lo - 1)
        #expect(prev == CivilDate(year: 1899, month: 12, day: 31))
        var failures = 0
        for d in lo...hi {
            let c = CivilDate(daysSinceEpoch: d)
            if c.daysSinceEpoch != d || !c.isValid { failures += 1 }
            // consecutive days advance by exactly one calendar day
            let expectedNext: CivilDate
            if prev.day < CivilDate.daysInMonth(year: prev.year, month: prev.month) {
                expectedNext = CivilDate(year: prev.year, month: prev.month, day: prev.day + 1)
            } else if prev.month < 12 {
                expectedNext = CivilDate(year: prev.year, month: prev.month + 1, day: 1)
            } else {
                expectedNext = CivilDate(year: prev.year + 1, month: 1, day: 1)
            }
            if c != expectedNext { failures += 1 }
            if CivilDate(parsing: c.description) != c { failures += 1 }
            prev = c
        }
        #expect(failures == 0)
        #expect(!CivilDate.isLeapYear(1900) && CivilDate.isLeapYear(2000) && !CivilDate.isLeapYear(2100))
    }

    @Test func addingMonthsAndParsing() {
        let d = CivilDate(year: 2026, month: 10, day: 31)
        #expect(d.adding(months: -12) == CivilDate(year: 2025, month: 10, day: 31))
        #expect(d.adding(months: -8) == CivilDate(year: 2026, month: 2, day: 28))
        #expect(d.adding(months: 3) == CivilDate(year: 2027, month: 1, day: 31))
        #expect(CivilDate(year: 2024, month: 3, day: 31).adding(months: -1) == CivilDate(year: 2024, month: 2, day: 29))
        #expect(CivilDate(parsing: "2026-02-30") == nil)
        #expect(CivilDate(parsing: "2026-2-3") == nil)
        #expect(CivilDate(parsing: "2026-03-04") == CivilDate(year: 2026, month: 3, day: 4))
    }
}
