import Foundation
import HummingbirdTesting
import MinzhengCore
import MinzhengServer
import MinzhengTesting
import Testing

/// Managers give an office its own periods, default capacities and booking window; admins manage accounts.
@Suite struct OfficeScheduleTests {
    struct ScheduleBody: Decodable {
        struct Period: Decodable { let period: String; let start: String; let end: String }
        let periods: [Period]
        let default_capacity: [String: Int]
        let booking_window: Window
        struct Window: Decodable {
            let min_days_ahead: Int, max_days_ahead: Int, closing_hour: Int, release_time: String
            subscript(key: String) -> Int? { ["min_days_ahead": min_days_ahead, "max_days_ahead": max_days_ahead, "closing_hour": closing_hour][key] }
        }
    }

    static let morningsOnly = #"""
        {"periods":["08:30-09:30","09:30-10:30","13:30-15:00"],
         "default_capacity":{"marriage":3,"divorce_application":1,"divorce_certificate":1,"reissue":0},
         "booking_window":{"min_days_ahead":1,"max_days_ahead":12,"closing_hour":12}}
        """#

    @Test func anOfficeHasItsOwnPeriodsCapacitiesAndWindow() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            let path = "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/schedule"
            let standard: ScheduleBody = try await world.request(.get, path, token: manager).decode()
            #expect(standard.periods.map(\.period) == ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"])
            #expect(standard.default_capacity["marriage"] == 10 && standard.booking_window["max_days_ahead"] == 30)

            let set = try await world.request(.put, path, token: manager, json: Self.morningsOnly)
            #expect(set.status == .ok, "\(String(buffer: set.body))")
            let changed: ScheduleBody = try set.decode()
            #expect(changed.periods.map(\.end) == ["09:30", "10:30", "15:00"])

            // Citizens see the new periods and capacities, and days past the new window are not open.
            let today = LocalDate.today(at: Date())
            let days: AvailabilityBody = try await world.request(
                .get, "/v1/marriage-registries/9/availability?service=marriage&from=\(today.adding(days: 2))&to=\(today.adding(days: 20))"
            ).decode()
            #expect(days.days.allSatisfy { $0.periods.map(\.period) == ["08:30", "09:30", "13:30"] })
            #expect(days.days.filter(\.open).allSatisfy { LocalDate(iso: $0.date)! <= today.adding(days: 12) })
            let open = try #require(days.days.first { $0.open })
            #expect(open.periods.allSatisfy { $0.capacity == 3 })
            // Another office keeps the standard schedule.
            #expect(try await world.period(office: BookingWorld.nanjingQinhuai, date: open.date, period: "09:00").capacity == 10)

            let citizen = try await world.citizen("c")
            let old = try await world.book(world.bookingJSON(date: open.date, period: "09:00", couple: 1), token: citizen)
            #expect(old.status.code == 400 || old.status.code == 422)
            #expect(old.problemCode == "invalid_parameter")
            let booked = try await world.book(world.bookingJSON(date: open.date, period: "08:30", couple: 1), token: citizen)
            #expect(booked.status == .created, "\(String(buffer: booked.body))")
            #expect(String(buffer: booked.body).contains(#""end":"09:30""#))
            #expect(try await world.period(date: open.date, period: "08:30").remaining == 2)

            // A period with a confirmed booking cannot be dropped; nothing changes.
            let drop = try await world.request(.put, path, token: manager, json: Self.morningsOnly.replacingOccurrences(of: #""08:30-09:30","#, with: ""))
            #expect(drop.status == .conflict && drop.problemCode == "period_in_use")
            #expect(try await world.request(.get, path, token: manager).decode(ScheduleBody.self).periods.count == 3)

            // Bad schedules, other divisions and clerks are refused.
            for bad in [Self.morningsOnly.replacingOccurrences(of: "09:30-10:30", with: "09:00-10:30"),  // overlaps
                        Self.morningsOnly.replacingOccurrences(of: "13:30-15:00", with: "15:00-13:30"),
                        Self.morningsOnly.replacingOccurrences(of: #""max_days_ahead":12"#, with: #""max_days_ahead":400"#),
                        Self.morningsOnly.replacingOccurrences(of: #""reissue":0"#, with: #""reissue":0,"funeral":3"#),
                        Self.morningsOnly.replacingOccurrences(of: #""closing_hour":12"#, with: #""closing_hour":12,"release_time":"99:99""#),
                        Self.morningsOnly.replacingOccurrences(of: #""closing_hour":12"#, with: #""closing_hour":12,"release_time":"-1:30""#)] {
                let refused = try await world.request(.put, path, token: manager, json: bad)
                #expect(refused.status.code == 400 || refused.status.code == 422, "\(bad)")
            }
            #expect(try await world.request(.put, path, token: try await world.staff("nanjing-clerk"), json: Self.morningsOnly).status == .forbidden)
            #expect(try await world.request(.put, path, token: try await world.staff("wuxi-manager"), json: Self.morningsOnly).status == .notFound)
            let audit = try await world.services.storage.audit.auditTrail()
            #expect(audit.map(\.action) == ["office.schedule"])
            #expect(audit.first?.before?.contains("09:00-10:00") == true && audit.first?.after?.contains("08:30-09:30") == true)
        }
    }

    struct AccountBody: Decodable { let username: String; let role: String; let division: String; let active: Bool }
    struct AccountList: Decodable { let items: [AccountBody] }

    @Test func adminsManageTheAccountsOfTheirDivision() async throws {
        try await withBookingWorld { world in
            let province = try await world.staff("province")
            func create(_ username: String, _ role: String, _ division: String, by token: String) async throws -> WorldResponse {
                try await world.request(.post, "/v1/staff/accounts", token: token, json: """
                    {"username":"\(username)","password":"\(BookingWorld.password)","role":"\(role)","division":"\(division)"}
                    """)
            }
            #expect(try await create("nanjing-admin", "admin", "3201", by: province).status == .created)
            #expect(try await create("nanjing-admin", "clerk", "3201", by: province).problemCode == "username_taken")
            #expect(try await create("beijing-clerk", "clerk", "11", by: province).problemCode == "division_out_of_scope")
            #expect(try await create("someone", "clerk", "3201", by: try await world.staff("nanjing-manager")).status == .forbidden)

            // A city admin sees and manages only the city's accounts.
            let nanjing = try await world.staff("nanjing-admin")
            #expect(try await create("xuanwu-clerk", "clerk", "320102", by: nanjing).status == .created)
            #expect(try await create("wuxi-clerk", "clerk", "3202", by: nanjing).problemCode == "division_out_of_scope")
            let listed: AccountList = try await world.request(.get, "/v1/staff/accounts", token: nanjing).decode()
            #expect(listed.items.map(\.username) == ["nanjing-admin", "nanjing-clerk", "nanjing-manager", "xuanwu-clerk"])
            #expect(try await world.request(.post, "/v1/staff/accounts/wuxi-manager/disable", token: nanjing).status == .notFound)
            #expect(try await world.request(.post, "/v1/staff/accounts/nanjing-admin/disable", token: nanjing).problemCode == "cannot_disable_self")
            // One admin cannot lock out another of the same division; the level above can.
            #expect(try await create("nanjing-admin2", "admin", "3201", by: province).status == .created)
            #expect(try await world.request(.post, "/v1/staff/accounts/nanjing-admin2/disable", token: nanjing).status == .notFound)
            #expect(try await world.request(.post, "/v1/staff/accounts/nanjing-admin2/disable", token: province).status == .ok)

            // Disabling ends the account's sessions at once and stops it logging in.
            let clerk = try await world.staff("xuanwu-clerk")
            let date = try await world.bookableDay()
            #expect(try await world.request(.get, "/v1/staff/marriage-registries/9/roster?date=\(date)", token: clerk).status == .ok)
            let disabled = try await world.request(.post, "/v1/staff/accounts/xuanwu-clerk/disable", token: nanjing)
            #expect(disabled.status == .ok)
            #expect(try disabled.decode(AccountBody.self).active == false)
            #expect(try await world.request(.get, "/v1/staff/marriage-registries/9/roster?date=\(date)", token: clerk).status == .unauthorized)
            let login = try await world.request(.post, "/v1/staff/sessions", json: #"{"username":"xuanwu-clerk","password":"\#(BookingWorld.password)"}"#)
            #expect(login.status == .unauthorized)
            #expect(try await world.request(.post, "/v1/staff/accounts/xuanwu-clerk/disable", token: nanjing).status == .notFound)

            let audit = try await world.services.storage.audit.auditTrail()
            #expect(audit.map(\.action) == ["staff.create", "staff.create", "staff.create", "staff.disable", "staff.disable"])
            #expect(audit.map(\.target) == ["staff:nanjing-admin", "staff:xuanwu-clerk", "staff:nanjing-admin2", "staff:nanjing-admin2",
                                             "staff:xuanwu-clerk"])
            #expect(!audit.contains { ($0.after ?? "").contains(BookingWorld.password) })
        }
    }
}
