import Foundation
import MinzhengCore
import Testing

@Suite struct LocalDateTests {
    @Test func parsesPrintsAndCounts() throws {
        let date = try #require(LocalDate(iso: "2026-11-29"))
        #expect(date.description == "2026-11-29")
        #expect(date.weekday == 7)  // a Sunday
        #expect(date.adding(days: 33).description == "2027-01-01")
        #expect(LocalDate(iso: "2024-02-29") != nil)
        for bad in ["2026-02-29", "2026-13-01", "2026-1-01", "20261129", "2026-11-29T00:00", ""] { #expect(LocalDate(iso: bad) == nil) }
        for offset in stride(from: -40_000, to: 40_000, by: 997) {
            let day = LocalDate(dayNumber: offset)
            guard day.components.year >= 1900 else { continue }
            #expect(LocalDate(iso: day.description) == day)
        }
    }

    @Test func todayIsChinaTime() {
        // 2026-11-29 15:59:59 UTC is 23:59:59 in Beijing; one second later it is the 30th there.
        let before = Date(timeIntervalSince1970: LocalDate(iso: "2026-11-29")!.instant(hour: 23, minute: 59).timeIntervalSince1970 + 59)
        #expect(LocalDate.today(at: before).description == "2026-11-29")
        #expect(LocalDate.today(at: before.addingTimeInterval(1)).description == "2026-11-30")
    }
}

@Suite struct WorkCalendarTests {
    let calendar = WorkCalendar(days: [
        (LocalDate(iso: "2026-10-01")!, .holiday), (LocalDate(iso: "2026-10-08")!, .holiday),
        (LocalDate(iso: "2026-10-10")!, .workday),
    ])

    @Test func holidaysAndMakeUpDays() {
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2026-10-01")!))  // Thursday, holiday
        #expect(calendar.isWorkingDay(LocalDate(iso: "2026-10-10")!))  // Saturday, make-up day
        #expect(!calendar.isWorkingDay(LocalDate(iso: "2026-10-11")!))  // Sunday
        #expect(calendar.isWorkingDay(LocalDate(iso: "2026-10-09")!))  // Friday
        #expect(calendar.workingDay(onOrAfter: LocalDate(iso: "2026-10-08")!).description == "2026-10-09")
        #expect(calendar.adding(workingDays: 2, to: LocalDate(iso: "2026-10-07")!).description == "2026-10-10")
    }
}
