import Foundation
import HTTPTypes
import HummingbirdTesting
import MinzhengCore
import MinzhengTesting
import Testing

@Suite struct BookingFlowTests {
    @Test func aCitizenBooksSeesCancelsAndReschedules() async throws {
        try await withBookingWorld { world in
            let date = try await world.bookableDay()
            let token = try await world.citizen("wx-openid-1")
            let created = try await world.book(world.bookingJSON(date: date, couple: 1), token: token)
            #expect(created.status == .created)
            let booking = try created.decode(BookingBody.self)
            #expect(booking.status == "confirmed" && booking.code.count == 8)
            #expect(booking.applicants.map(\.name) == ["张*", "李*"])
            #expect(booking.applicants.allSatisfy { $0.id_number.contains("**********") && $0.phone.contains("****") })
            #expect(!String(buffer: created.body).contains(TestIDs.couple(1).man))
            #expect(try await world.period(date: date).remaining == 9)

            let mine = try await world.request(.get, "/v1/marriage-bookings", token: token).decode(ListPage<BookingBody>.self)
            #expect(mine.items.map(\.id) == [booking.id])

            // Reschedule to 10:00: the old place comes back, the new one is taken.
            let moved = try await world.request(.post, "/v1/marriage-bookings/\(booking.id)/reschedule", token: token,
                                                json: #"{"date":"\#(date)","period":"10:00"}"#)
            #expect(moved.status == .ok)
            #expect(try moved.decode(BookingBody.self).period == "10:00")
            #expect(try await world.period(date: date).remaining == 10)
            #expect(try await world.period(date: date, period: "10:00").remaining == 9)

            let cancelled = try await world.request(.post, "/v1/marriage-bookings/\(booking.id)/cancel", token: token)
            #expect(try cancelled.decode(BookingBody.self).status == "cancelled")
            #expect(try await world.period(date: date, period: "10:00").remaining == 10)
            let again = try await world.request(.post, "/v1/marriage-bookings/\(booking.id)/cancel", token: token)
            #expect(again.status == .conflict)
            // Once cancelled, the same couple may book again.
            #expect(try await world.book(world.bookingJSON(date: date, couple: 1), token: token).status == .created)
        }
    }

    @Test func aRescheduleIntoAFullPeriodChangesNothing() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(1, date: date, period: "11:00", token: manager).status == .noContent)
            let token = try await world.citizen("a")
            #expect(try await world.book(world.bookingJSON(date: date, period: "11:00", couple: 10), token: token).status == .created)
            let mine = try await world.book(world.bookingJSON(date: date, couple: 11), token: token).decode(BookingBody.self)
            let refused = try await world.request(.post, "/v1/marriage-bookings/\(mine.id)/reschedule", token: token,
                                                  json: #"{"date":"\#(date)","period":"11:00"}"#)
            #expect(refused.status == .conflict && refused.problemCode == "slot_full")
            let after = try await world.request(.get, "/v1/marriage-bookings/\(mine.id)", token: token).decode(BookingBody.self)
            #expect(after.period == "09:00" && after.status == "confirmed")
            #expect(try await world.period(date: date).booked == 1)
        }
    }

    @Test func anotherCitizensBookingIsNotFound() async throws {
        try await withBookingWorld { world in
            let date = try await world.bookableDay()
            let owner = try await world.citizen("owner")
            let stranger = try await world.citizen("stranger")
            let booking = try await world.book(world.bookingJSON(date: date, couple: 2), token: owner).decode(BookingBody.self)
            for (method, path) in [(HTTPRequest.Method.get, "/v1/marriage-bookings/\(booking.id)"),
                                   (.post, "/v1/marriage-bookings/\(booking.id)/cancel")] {
                let response = try await world.request(method, path, token: stranger)
                #expect(response.status == .notFound && response.problemCode == "not_found")
            }
            let moved = try await world.request(.post, "/v1/marriage-bookings/\(booking.id)/reschedule", token: stranger,
                                                json: #"{"date":"\#(date)","period":"10:00"}"#)
            #expect(moved.status == .notFound)
            let list = try await world.request(.get, "/v1/marriage-bookings", token: stranger).decode(ListPage<BookingBody>.self)
            #expect(list.items.isEmpty)
            #expect(try await world.request(.get, "/v1/marriage-bookings/\(booking.id)", token: owner).status == .ok)
        }
    }

    @Test func rejectionsAreProblemsAndTakeNoPlace() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            let token = try await world.citizen("rules")
            let today = LocalDate.today(at: Date())
            let (man, woman) = TestIDs.couple(20)
            let young = TestIDs.make(birth: String(format: "%04d0101", today.components.year - 19), sequence: 3)
            let cases: [(String, Int, String)] = [
                (#"{"office_id":9,"date":"\#(date)","period":"09:00","service":"marriage","applicants":[{"name":"张三","id_number":"110105194912310021","phone":"13800138000"},{"name":"李四","id_number":"\#(woman)","phone":"13900139000"}]}"#, 422, "invalid_id_number"),
                (#"{"office_id":9,"date":"\#(date)","period":"09:00","service":"marriage","applicants":[{"name":"张三","id_number":"\#(young)","phone":"13800138000"},{"name":"李四","id_number":"\#(woman)","phone":"13900139000"}]}"#, 422, "underage"),
                (#"{"office_id":9,"date":"\#(date)","period":"09:00","service":"marriage","applicants":[{"name":"张三","id_number":"\#(man)","phone":"13800138000"},{"name":"张三","id_number":"\#(man)","phone":"13800138000"}]}"#, 422, "applicants_invalid"),
                (#"{"office_id":9,"date":"\#(date)","period":"09:00","service":"reissue","applicants":[{"name":"张三","id_number":"\#(man)","phone":"13800138000"},{"name":"李四","id_number":"\#(woman)","phone":"13900139000"}]}"#, 422, "applicants_invalid"),
                (world.bookingJSON(date: today.description, couple: 20), 422, "outside_booking_window"),
                // Beyond the window the day's places are not released yet: 409 with the moment they are.
                (world.bookingJSON(date: today.adding(days: 40).description, couple: 20), 409, "not_yet_released"),
                (world.bookingJSON(date: date, period: "12:00", couple: 20), 400, "invalid_parameter"),
                (world.bookingJSON(date: "2026-13-01", couple: 20), 400, "invalid_parameter"),
                (world.bookingJSON(office: 1, date: date, couple: 20), 404, "not_found"),
                (world.bookingJSON(date: date, couple: 20, extra: #","unexpected":true"#), 400, "invalid_parameter"),
                (world.bookingJSON(date: date, service: "divorce_certificate", couple: 20), 422, "divorce_application_not_found"),
                (#"{"office_id":9"#, 400, "invalid_parameter"),
            ]
            for (body, status, code) in cases {
                let response = try await world.book(body, token: token)
                #expect(response.status.code == status && response.problemCode == code, "\(code): \(String(buffer: response.body))")
                #expect(response.headers[.contentType] == "application/problem+json")
            }
            // Closed days.
            let closed = try await world.request(.post, "/v1/staff/marriage-registries/9/closures", token: manager,
                                                 json: #"{"date":"\#(date)","reason":"设备检修"}"#)
            #expect(closed.status == .ok)
            let onClosedDay = try await world.book(world.bookingJSON(date: date, couple: 20), token: token)
            #expect(onClosedDay.status == .conflict && onClosedDay.problemCode == "office_closed")
            // No credentials, wrong credentials, no key.
            #expect(try await world.book(world.bookingJSON(date: date, couple: 20), token: "mzc_nope").status == .unauthorized)
            let anonymous = try await world.request(.post, "/v1/marriage-bookings", headers: [HTTPField.Name("Idempotency-Key")!: "x"],
                                                    json: world.bookingJSON(date: date, couple: 20))
            #expect(anonymous.status == .unauthorized && anonymous.problemCode == "unauthenticated")
            let keyless = try await world.request(.post, "/v1/marriage-bookings", token: token, json: world.bookingJSON(date: date, couple: 20))
            #expect(keyless.status == .badRequest)
            let huge = try await world.book(String(repeating: " ", count: 70_000) + "{}", token: token)
            #expect(huge.status.code == 413 && huge.problemCode == "body_too_large")
            // Nothing was taken by any of it.
            let mine = try await world.request(.get, "/v1/marriage-bookings", token: token).decode(ListPage<BookingBody>.self)
            #expect(mine.items.isEmpty)
        }
    }

    @Test func availabilityKnowsWeekendsAndTheWindow() async throws {
        try await withBookingWorld { world in
            let today = LocalDate.today(at: Date())
            let body = try await world.request(.get, "/v1/marriage-registries/9/availability?service=marriage&from=\(today)&to=\(today.adding(days: 40))")
                .decode(AvailabilityBody.self)
            #expect(body.days.count == 41)
            // The shipped calendar, read independently of the server, says which days are holidays and make-up days.
            let calendar = try SeedSet.load(from: Fixtures.seedDirectory).calendar
            let holidays = Set(calendar.filter { $0.kind == .holiday }.map(\.date.description))
            let makeUpDays = Set(calendar.filter { $0.kind == .workday }.map(\.date.description))
            for (offset, day) in body.days.enumerated() {
                let date = today.adding(days: offset)
                #expect(day.date == date.description)
                let works = makeUpDays.contains(day.date) || (!holidays.contains(day.date) && !date.isWeekend)
                // The day before closes at 15:00; the thirtieth day opens at 08:00 (Beijing time) today.
                let bookable = works && offset >= 1 && offset <= 30 && (offset > 1 || Date() < today.instant(hour: 15))
                    && (offset < 30 || Date() >= today.instant(hour: 8))
                #expect(day.open == bookable, "\(day.date)")
            }
            #expect(body.days.contains { $0.open })
            let bad = try await world.request(.get, "/v1/marriage-registries/9/availability?from=\(today)&to=\(today.adding(days: 100))")
            #expect(bad.status == .badRequest)
            #expect(try await world.request(.get, "/v1/marriage-registries/999999/availability?from=\(today)&to=\(today)").status == .notFound)
        }
    }
}

@Suite struct StaffTests {
    @Test func staffActOnlyUnderTheirDivisionAndRole() async throws {
        try await withBookingWorld { world in
            let date = try await world.bookableDay()
            let clerk = try await world.staff("nanjing-clerk")
            let wuxi = try await world.staff("wuxi-manager")
            let province = try await world.staff("province")
            #expect(try await world.setCapacity(3, date: date, token: clerk).status == .forbidden)
            #expect(try await world.setCapacity(3, date: date, token: wuxi).status == .notFound)
            #expect(try await world.setCapacity(3, date: date, token: province).status == .noContent)
            #expect(try await world.setCapacity(3, office: BookingWorld.wuxi, date: date, token: wuxi).status == .noContent)
            #expect(try await world.request(.get, "/v1/staff/marriage-registries/9/roster?date=\(date)", token: wuxi).status == .notFound)
            #expect(try await world.request(.get, "/v1/staff/marriage-registries/9/roster?date=\(date)", token: clerk).status == .ok)
            let citizen = try await world.citizen("c")
            #expect(try await world.request(.get, "/v1/staff/marriage-registries/9/roster?date=\(date)", token: citizen).status == .unauthorized)
            #expect(try await world.request(.get, "/v1/staff/marriage-registries/9/roster?date=\(date)").status == .unauthorized)
            // A stale token does not stop a public look-up, and a protected call says why it is refused.
            #expect(try await world.request(.get, "/v1/directory/marriage-registry/9", token: "mzc_expired").status == .ok)
            let stale = try await world.request(.get, "/v1/marriage-bookings", token: "mzc_expired")
            #expect(stale.status == .unauthorized && (try? stale.decode(ProblemBody.self))?.detail == "the token is unknown or expired")
            let wrong = try await world.request(.post, "/v1/staff/sessions", json: #"{"username":"province","password":"wrong password"}"#)
            #expect(wrong.status == .unauthorized && wrong.problemCode == "invalid_credentials")
        }
    }

    @Test func capacityCannotGoBelowWhatIsBooked() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            let token = try await world.citizen("c")
            for n in 0..<3 { #expect(try await world.book(world.bookingJSON(date: date, couple: 30 + n), token: token).status == .created) }
            let lower = try await world.setCapacity(2, date: date, token: manager)
            #expect(lower.status == .conflict && lower.problemCode == "capacity_below_booked")
            #expect(try await world.period(date: date).capacity == 10)
            #expect(try await world.setCapacity(3, date: date, token: manager).status == .noContent)
            #expect(try await world.period(date: date).remaining == 0)
            // Whole days: every period of a range.
            let range = try await world.request(.put, "/v1/staff/marriage-registries/9/capacity", token: manager,
                                                json: #"{"from":"\#(date)","to":"\#(date)","service":"marriage","capacity":12}"#)
            #expect(range.status == .noContent)
            #expect(try await world.period(date: date, period: "16:00").capacity == 12)
            // A day gone by keeps what it offered: neither its places nor its opening change.
            let yesterday = LocalDate.today(at: Date()).adding(days: -1).description
            let past = try await world.setCapacity(0, date: yesterday, period: nil, token: manager)
            #expect(past.status == .badRequest && past.problemCode == "invalid_parameter", "\(String(buffer: past.body))")
            let reaching = try await world.request(.put, "/v1/staff/marriage-registries/9/capacity", token: manager,
                                                   json: #"{"from":"\#(yesterday)","to":"\#(date)","service":"marriage","capacity":11}"#)
            #expect(reaching.status == .badRequest)
            #expect(try await world.period(date: date, period: "16:00").capacity == 12)
            let reopened = try await world.request(.post, "/v1/staff/marriage-registries/9/open-days", token: manager,
                                                   json: #"{"date":"\#(yesterday)","reason":"补班"}"#)
            #expect(reopened.status == .badRequest && reopened.problemCode == "invalid_parameter", "\(String(buffer: reopened.body))")
        }
    }

    @Test func closingADayCancelsItsBookingsAndFreesThePlaces() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            let token = try await world.citizen("c")
            let booking = try await world.book(world.bookingJSON(date: date, couple: 40), token: token).decode(BookingBody.self)
            let closed = try await world.request(.post, "/v1/staff/marriage-registries/9/closures", token: manager,
                                                 json: #"{"date":"\#(date)","reason":"停电"}"#)
            #expect(try closed.decode(ClosureBody.self).cancelled_bookings == 1)
            let after = try await world.request(.get, "/v1/marriage-bookings/\(booking.id)", token: token).decode(BookingBody.self)
            #expect(after.status == "cancelled_by_office")
            let day = try await world.period(date: date)
            #expect(day.booked == 0)
            let availability = try await world.request(.get, "/v1/marriage-registries/9/availability?from=\(date)&to=\(date)").decode(AvailabilityBody.self)
            #expect(availability.days.first?.open == false)
            // The couple may book elsewhere at once.
            #expect(try await world.book(world.bookingJSON(office: BookingWorld.nanjingQinhuai, date: date, couple: 40), token: token).status == .created)
        }
    }

    @Test func checkInAndNoShowByCode() async throws {
        try await withBookingWorld { world in
            let clerk = try await world.staff("nanjing-clerk")
            let wuxi = try await world.staff("wuxi-manager")
            let date = try await world.bookableDay()
            let token = try await world.citizen("c")
            let booking = try await world.book(world.bookingJSON(date: date, couple: 50), token: token).decode(BookingBody.self)
            #expect(try await world.request(.post, "/v1/staff/marriage-bookings/\(booking.code)/check-in", token: wuxi).status == .notFound)
            // Before the day: neither a no-show nor a check-in (the day of check-in is the day a divorce is accepted).
            let early = try await world.request(.post, "/v1/staff/marriage-bookings/\(booking.code)/no-show", token: clerk)
            #expect(early.status == .conflict && early.problemCode == "too_early")
            let checkIn = try await world.request(.post, "/v1/staff/marriage-bookings/\(booking.code.lowercased())/check-in", token: clerk)
            #expect(checkIn.status == .conflict && checkIn.problemCode == "not_today")
            #expect(try await world.request(.post, "/v1/staff/marriage-bookings/NOSUCH23/check-in", token: clerk).status == .notFound)
            let roster = try await world.roster(date: date, token: clerk)
            #expect(roster.map(\.status) == ["confirmed"])
            #expect(roster[0].applicants[0].id_number.contains("**********"))
        }
    }
}

struct ClosureBody: Decodable { let cancelled_bookings: Int }
