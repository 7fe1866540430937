import Foundation
import MinzhengCore
import Testing

@Suite struct RushDayRulesTests {
    @Test func provincialHighDemandDays() {
        for day in ["2027-05-20", "2027-05-21", "2027-02-14", "2026-08-19", "2027-08-08", "2026-09-09", "2027-01-01", "2027-01-11",
                    "2027-02-22", "2026-11-11", "2027-03-03"] {
            #expect(HighDemandCalendar.isProvincialDefault(LocalDate(iso: day)!), "\(day)")
        }
        for day in ["2027-05-19", "2026-12-12", "2026-10-10", "2027-08-19", "2026-12-01", "2027-02-23"] {
            #expect(!HighDemandCalendar.isProvincialDefault(LocalDate(iso: day)!), "\(day)")
        }
    }

    @Test func theDrawOrderDependsOnlyOnTheSeedAndTheEntries() {
        let keys = (0..<1000).map { "entry-\($0)" }
        let order = FairDraw.order(keys, seed: "s1")
        #expect(Set(order) == Set(keys) && order.count == keys.count)
        #expect(FairDraw.order(keys.reversed(), seed: "s1") == order)
        #expect(FairDraw.order(keys, seed: "s2") != order)
        // Not the input order: the first hundred are drawn from all over.
        #expect(order.prefix(100).filter { Int($0.dropFirst(6))! < 100 }.count < 30)
    }

    @Test func placesGoDownTheOrderByPreference() {
        let assigned = FairDraw.assign(order: ["a", "b", "c", "d"], preferences: ["a": ["09:00"], "b": ["09:00", "10:00"], "c": ["09:00"], "d": ["10:00"]],
                                       places: ["09:00": 1, "10:00": 1])
        #expect(assigned.map(\.period) == ["09:00", "10:00", nil, nil])
    }

    @Test func releaseIsTheConfiguredMinuteMaxDaysBefore() {
        let window = BookingWindow(maxDaysAhead: 30, releaseMinute: 8 * 60 + 30)
        let day = LocalDate(iso: "2027-05-20")!
        #expect(window.releaseAt(day) == LocalDate(iso: "2027-04-20")!.instant(hour: 8, minute: 30))
        #expect(!window.contains(day, now: LocalDate(iso: "2027-04-20")!.instant(hour: 8, minute: 29)))
        #expect(window.contains(day, now: LocalDate(iso: "2027-04-20")!.instant(hour: 8, minute: 30)))
        #expect(throws: DomainError.self) { try window.check(day, now: LocalDate(iso: "2027-04-19")!.instant(hour: 12)) }
    }
}
