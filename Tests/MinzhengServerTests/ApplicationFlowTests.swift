import Foundation
import GRDB
import HTTPTypes
import MinzhengCore
import MinzhengTesting
import Synchronization
import Testing

struct ApplicationBody: Decodable {
    struct Step: Decodable { let status: String; let at: String; let reason: String?; let tracking_number: String? }
    struct Applicant: Decodable { let name: String; let id_number: String; let phone: String }
    let number: String
    let item_code: String
    let division_code: String
    let status: String
    let promised_date: String
    let overdue: Bool
    let applicant: Applicant
    let timeline: [Step]
}

struct ApplicationList: Decodable { let items: [ApplicationBody]; let next_cursor: String? }

extension BookingWorld {
    /// Applies for `item` in `division` as the citizen with `token`, with couple `n`'s man as applicant.
    func apply(_ item: String = "MZ-03-001", division: String = "320102", couple n: Int, token: String) async throws -> WorldResponse {
        try await request(.post, "/v1/applications", token: token, json: #"""
            {"item_code":"\#(item)","division":"\#(division)","applicant":{"name":"王小明","id_number":"\#(TestIDs.couple(n).man)","phone":"13912345678"}}
            """#)
    }

    func advance(_ number: String, _ json: String, token: String) async throws -> WorldResponse {
        try await request(.post, "/v1/staff/applications/\(number)/transitions", token: token, json: json)
    }

    func lookUp(_ number: String, suffix: String) async throws -> WorldResponse {
        try await request(.post, "/v1/application-lookups", json: #"{"number":"\#(number)","id_suffix":"\#(suffix)"}"#)
    }
}

/// Applications from a citizen's submission to completion, on both backends.
@Suite struct ApplicationFlowTests {
    struct ItemList: Decodable {
        struct Item: Decodable { let code: String; let name: String; let topic: String; let division_code: String; let legal_basis: String }
        let items: [Item]
    }

    struct Guide: Decodable {
        struct Attributes: Decodable, Equatable { let code: String; let type: String; let name: String; let legal_basis: String }
        struct Local: Decodable { let division_code: String; let hall: String; let address: String; let phone: String; let window: String }
        let item: Attributes
        let local: Local
    }

    @Test func citizensBrowseTheCatalogueAsTheirDivisionPublishesIt() async throws {
        try await withBookingWorld { world in
            let all = try await world.request(.get, "/v1/service-items").decode(ItemList.self)
            #expect(all.items.count == 46 && all.items.allSatisfy { $0.division_code == "32" })
            let topic = "殡葬".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let funerals = try await world.request(.get, "/v1/service-items?division=320102&topic=\(topic)").decode(ItemList.self)
            #expect(!funerals.items.isEmpty && funerals.items.allSatisfy { $0.topic == "殡葬" && $0.division_code == "320102" })
            let adoption = try await world.request(.get, "/v1/service-items?division=3202&q=\("收养".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
                .decode(ItemList.self)
            #expect(adoption.items.map(\.code) == ["MZ-01-006", "MZ-01-007", "MZ-01-008"])

            // The same four attributes at the county and the city; each its own hall.
            let county = try await world.request(.get, "/v1/service-items/MZ-02-001?division=320102002").decode(Guide.self)
            let city = try await world.request(.get, "/v1/service-items/MZ-02-001?division=3202").decode(Guide.self)
            #expect(county.item == city.item && county.item.name == "社会团体成立登记")
            #expect(county.local.division_code == "320102" && city.local.division_code == "3202" && county.local.address != city.local.address)

            #expect(try await world.request(.get, "/v1/service-items?topic=x").problemCode == "invalid_parameter")
            #expect(try await world.request(.get, "/v1/service-items?division=abc").problemCode == "invalid_parameter")
            #expect(try await world.request(.get, "/v1/service-items?division=44").problemCode == "division_not_published")
            #expect(try await world.request(.get, "/v1/service-items?division=329999999").problemCode == "division_not_found")
            #expect(try await world.request(.get, "/v1/service-items?q=%20%20").decode(ItemList.self).items.count == 46, "a blank q is no q")
            #expect(try await world.request(.get, "/v1/service-items/MZ-99-001").problemCode == "service_item_not_found")
        }
    }

    @Test func listsComeAPageAtATime() async throws {
        try await withBookingWorld { world in
            let citizen = try await world.citizen("many"), clerk = try await world.staff("nanjing-clerk")
            var numbers: Set<String> = []
            for couple in 531...533 { numbers.insert(try await world.apply(couple: couple, token: citizen).decode(ApplicationBody.self).number) }
            func walk(_ path: String, token: String) async throws -> [String] {
                var seen: [String] = [], cursor: String? = nil
                repeat {
                    let page = try await world.request(.get, path + (cursor.map { "&cursor=\($0)" } ?? ""), token: token).decode(ApplicationList.self)
                    #expect(page.items.count <= 2)
                    seen += page.items.map(\.number)
                    cursor = page.next_cursor
                } while cursor != nil && seen.count < 50
                return seen
            }
            let mine = try await walk("/v1/applications?limit=2", token: citizen)
            #expect(mine.count == 3 && Set(mine) == numbers, "every application once: \(mine)")
            let division = try await walk("/v1/staff/applications?status=submitted&limit=2", token: clerk)
            #expect(numbers.isSubset(of: Set(division)) && Set(division).count == division.count)
            // A cursor from another list (here a bookings list's) is refused, not misread.
            let foreign = PageCursor(key: "1800000000.0 B0123456789", id: 0).token
            let refused = try await world.request(.get, "/v1/applications?cursor=\(foreign)", token: citizen)
            #expect(refused.status == .badRequest && refused.problemCode == "invalid_parameter")
        }
    }

    @Test func aCitizenAppliesAndFollowsTheApplication() async throws {
        try await withBookingWorld { world in
            let citizen = try await world.citizen("applicant"), stranger = try await world.citizen("stranger")
            // Applied for in a township: handled by its county.
            let submitted = try await world.apply(division: "320102002", couple: 501, token: citizen)
            #expect(submitted.status == .created, "\(String(buffer: submitted.body))")
            let application = try submitted.decode(ApplicationBody.self)
            let id = TestIDs.couple(501).man
            #expect(application.division_code == "320102" && application.status == "submitted" && application.timeline.map(\.status) == ["submitted"])
            #expect(application.applicant.id_number == Masking.idNumber(id) && application.applicant.phone == "139****5678")
            #expect(!String(buffer: submitted.body).contains(id))

            let mine = try await world.request(.get, "/v1/applications", token: citizen).decode(ApplicationList.self)
            #expect(mine.items.map(\.number) == [application.number])
            #expect(try await world.request(.get, "/v1/applications/\(application.number)", token: citizen).status == .ok)
            #expect(try await world.request(.get, "/v1/applications/\(application.number)", token: stranger).status == .notFound)
            #expect(try await world.request(.get, "/v1/applications", token: stranger).decode(ApplicationList.self).items.isEmpty)

            // Anonymously: the number and the last six characters of the ID number.
            let found = try await world.lookUp(application.number.lowercased(), suffix: String(id.suffix(6)).lowercased())
            let foundNumber = try found.decode(ApplicationBody.self).number
            #expect(found.status == .ok && foundNumber == application.number)
            // A wrong suffix, a number that does not exist, and one that could not exist: the same answer, word for word.
            let misses = [try await world.lookUp(application.number, suffix: "000000"),
                          try await world.lookUp("SQ20260101ABCDEFGHJK", suffix: String(id.suffix(6))),
                          try await world.lookUp("nonsense", suffix: String(id.suffix(6)))]
            for miss in misses {
                #expect(miss.status == .notFound && miss.headers[.contentType] == "application/problem+json")
                #expect(miss.body == misses[0].body, "\(String(buffer: miss.body))")
            }
            #expect(misses[0].problemCode == "application_not_found")
            let wholeID = try await world.lookUp(application.number, suffix: id)
            #expect(wholeID.status == .notFound && wholeID.body == misses[0].body, "the whole ID number is not the last six characters")

            // Refusals write nothing.
            let inPerson = try await world.apply("MZ-01-001", couple: 502, token: citizen)
            #expect(inPerson.status.code == 422 && inPerson.problemCode == "not_online")
            #expect(try await world.apply("MZ-99-001", couple: 502, token: citizen).problemCode == "service_item_not_found")
            #expect(try await world.apply(division: "329999999", couple: 502, token: citizen).problemCode == "division_not_found")
            // An empty division would have filed it with the province, out of the county clerks' sight.
            for blank in ["", "  ", "\\n"] {
                let nowhere = try await world.apply(division: blank, couple: 502, token: citizen)
                #expect(nowhere.status == .badRequest && nowhere.problemCode == "invalid_parameter", "\(String(buffer: nowhere.body))")
            }
            let badID = try await world.request(.post, "/v1/applications", token: citizen, json: #"""
                {"item_code":"MZ-03-001","division":"320102","applicant":{"name":"王小明","id_number":"320102199003072312","phone":"13912345678"}}
                """#)
            #expect(badID.status.code == 422 && badID.problemCode == "invalid_id_number")
            let unknownField = try await world.request(.post, "/v1/applications", token: citizen, json: #"""
                {"item_code":"MZ-03-001","division":"320102","extra":1,"applicant":{"name":"王小明","id_number":"\#(id)","phone":"13912345678"}}
                """#)
            #expect(unknownField.status == .badRequest)
            #expect(try await world.request(.get, "/v1/applications", token: citizen).decode(ApplicationList.self).items.count == 1)

            // At rest the applicant is sealed.
            if let sqlite = world.services.storage.sqlite {
                let values: [String] = try await sqlite.pool.read { (db: Database) -> [String] in
                    let row = try Row.fetchOne(db, sql: "SELECT * FROM applications WHERE number = ?", arguments: [application.number])
                    return row.map { row in row.databaseValues.map { value in
                        if case .blob(let data) = value.storage { return String(decoding: data, as: UTF8.self) }
                        return value.description
                    } } ?? []
                }
                #expect(values.count > 10)
                for value in values {
                    #expect(!value.contains(id) && !value.contains("13912345678") && !value.contains("王小明"), "\(value)")
                }
            }
        }
    }

    @Test func thePromisedDateCountsWorkingDaysAcrossTheNationalDayHoliday() async throws {
        // Wednesday 30 September 2026, 10:00 in Beijing; 1-7 October are holidays, Saturday 10 October a make-up working day.
        let clock = TestClock()
        clock.set(LocalDate(iso: "2026-09-30")!.instant(hour: 10, minute: 0))
        try await withBookingWorld(now: clock.now) { world in
            let citizen = try await world.citizen("national-day")
            let threeDays = try await world.apply("MZ-07-002", couple: 511, token: citizen).decode(ApplicationBody.self)
            #expect(threeDays.promised_date == "2026-10-10")
            let twentyDays = try await world.apply("MZ-03-001", couple: 512, token: citizen).decode(ApplicationBody.self)
            #expect(twentyDays.promised_date == "2026-11-03")
        }
    }

    @Test func staffMoveAnApplicationForwardOnlyAndEveryStepIsTold() async throws {
        try await withNotifyWorld { world, receiver in
            let manager = try await world.staff("nanjing-manager"), clerk = try await world.staff("nanjing-clerk")
            let group = try await world.addWebhook("wecom", url: receiver.url("wecom", "office", query: "?key=k"),
                                                   events: ["application.updated", "application.overdue"], token: manager)
            #expect(group.events.count == 2)
            let app = try await world.setClientWebhook(url: receiver.url("hook", "app"), events: ["application.updated"])
            receiver.setSecret("app", try #require(app.secret))
            let citizen = try await world.citizen("follower")
            let number = try await world.apply(couple: 521, token: citizen).decode(ApplicationBody.self).number

            // Another city's staff cannot see or move it, and their attempt changes nothing.
            let wuxi = try await world.staff("wuxi-manager")
            #expect(try await world.advance(number, #"{"status":"accepted"}"#, token: wuxi).status == .notFound)
            #expect(try await world.request(.get, "/v1/staff/applications", token: wuxi).decode(ApplicationList.self).items.isEmpty)

            #expect(try await world.advance(number, #"{"status":"approved"}"#, token: clerk).problemCode == "invalid_transition")
            #expect(try await world.advance(number, #"{"status":"accepted"}"#, token: clerk).status == .ok)
            #expect(try await world.advance(number, #"{"status":"in_review"}"#, token: clerk).status == .ok)
            #expect(try await world.advance(number, #"{"status":"rejected"}"#, token: clerk).status == .badRequest)  // no reason
            #expect(try await world.advance(number, #"{"status":"approved","reason":"x"}"#, token: clerk).status == .badRequest)
            #expect(try await world.advance(number, #"{"status":"rejected","reason":"材料\u0000不全"}"#, token: clerk).problemCode == "nul_character")
            #expect(try await world.advance(number, #"{"status":"approved"}"#, token: clerk).status == .ok)
            #expect(try await world.advance(number, #"{"status":"dispatched"}"#, token: clerk).status == .badRequest)  // no tracking number
            #expect(try await world.advance(number, #"{"status":"dispatched","tracking_number":"SF1234567890"}"#, token: clerk).status == .ok)
            #expect(try await world.advance(number, #"{"status":"completed"}"#, token: clerk).status == .ok)
            for backwards in ["submitted", "accepted", "in_review", "approved", "rejected", "dispatched", "completed"] {
                let response = try await world.advance(number, #"{"status":"\#(backwards)","reason":"x","tracking_number":"SF1234567890"}"#, token: manager)
                #expect(response.status == .conflict && response.problemCode == "invalid_transition", "completed -> \(backwards)")
            }

            // The applicant unmasked, for the division's staff only, with a reason, audited.
            let revealed = try await world.request(.post, "/v1/staff/applications/\(number)/reveal", token: clerk, json: #"{"reason":"核实申请人身份"}"#)
            #expect(revealed.status == .ok && revealed.headers[.cacheControl] == "no-store")
            struct Revealed: Decodable { let name: String; let id_number: String; let phone: String }
            let person = try revealed.decode(Revealed.self)
            #expect(person.name == "王小明" && person.id_number == TestIDs.couple(521).man && person.phone == "13912345678")
            #expect(try await world.request(.post, "/v1/staff/applications/\(number)/reveal", token: wuxi, json: #"{"reason":"核实申请人身份"}"#)
                        .status == .notFound)
            #expect(try await world.request(.post, "/v1/staff/applications/\(number)/reveal", token: clerk, json: #"{"reason":" "}"#).status == .badRequest)

            let final = try await world.request(.get, "/v1/applications/\(number)", token: citizen).decode(ApplicationBody.self)
            #expect(final.timeline.map(\.status) == ["submitted", "accepted", "in_review", "approved", "dispatched", "completed"])
            #expect(final.timeline[4].tracking_number == "SF1234567890" && final.status == "completed")
            let audit = try await world.services.storage.audit.auditTrail().filter { $0.target == "application:\(number)" }
            #expect(audit.map(\.action) == ["application.accepted", "application.in_review", "application.approved", "application.dispatched",
                                            "application.completed", "application.reveal"])
            #expect(audit.last?.after?.contains("核实申请人身份") == true)

            // The app (signed) and the office group each hear of all six steps, once each.
            let told: @Sendable ([RobotReceiver.Receipt]) -> Bool = { receipts in
                receipts.filter { $0.robot == "app" }.count >= 6 && receipts.filter { $0.robot == "office" }.count >= 6
            }
            let receipts = try await receiver.wait(seconds: 20, until: told)
            #expect(told(receipts))
            try await Task.sleep(for: .milliseconds(300))  // room for a duplicate to show up
            let appReceipts = receiver.receipts("app"), officeReceipts = receiver.receipts("office")
            #expect(appReceipts.count == 6 && Set(appReceipts.compactMap(\.webhookID)).count == 6)
            #expect(appReceipts.allSatisfy { $0.signatureValid == true && $0.text == "application.updated" })
            #expect(officeReceipts.count == 6 && officeReceipts.allSatisfy { $0.text.contains(number) && $0.text.contains("【办件进度】") })
            #expect(officeReceipts.contains { $0.text.contains("快递单号：SF1234567890") })
            #expect(!(appReceipts + officeReceipts).contains { String(decoding: $0.body, as: UTF8.self).contains(TestIDs.couple(521).man) })
        }
    }

    @Test func clerksRacingOnOneApplicationTakeOneStep() async throws {
        try await withBookingWorld(live: true) { world in
            let citizen = try await world.citizen("raced")
            let number = try await world.apply(couple: 531, token: citizen).decode(ApplicationBody.self).number
            let tokens = [try await world.staff("nanjing-clerk"), try await world.staff("nanjing-manager"), try await world.staff("province")]
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<12 {
                    group.addTask { Int(try await world.advance(number, #"{"status":"accepted"}"#, token: tokens[index % 3]).status.code) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 1 && statuses.filter { $0 == 409 }.count == 11, "\(statuses.sorted())")
            let application = try await world.request(.get, "/v1/applications/\(number)", token: citizen).decode(ApplicationBody.self)
            #expect(application.timeline.map(\.status) == ["submitted", "accepted"])
            #expect(try await world.services.storage.audit.auditTrail().filter { $0.target == "application:\(number)" }.count == 1)
        }
    }

    @Test func overdueApplicationsAreListedAndReportedOnce() async throws {
        // Submitted on a Wednesday morning in Beijing: all three get the same promise, whatever the hour of the test run.
        let clock = TestClock()
        clock.set(LocalDate(iso: "2026-12-02")!.instant(hour: 10, minute: 0))
        try await withNotifyWorld(configure: { $0.overdueInterval = nil }, now: clock.now) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            var clerk = try await world.staff("nanjing-clerk")
            _ = try await world.addWebhook("wecom", url: receiver.url("wecom", "office", query: "?key=k"), events: ["application.overdue"], token: manager)
            var citizen = try await world.citizen("waiting")
            let late = try await world.apply(couple: 541, token: citizen).decode(ApplicationBody.self)
            let decided = try await world.apply(couple: 542, token: citizen).decode(ApplicationBody.self)
            let inWuxi = try await world.apply(division: "3202", couple: 543, token: citizen).decode(ApplicationBody.self)
            for step in ["accepted", "in_review", "approved"] {
                #expect(try await world.advance(decided.number, #"{"status":"\#(step)"}"#, token: clerk).status == .ok)
            }
            #expect(try await world.services.applications.noteOverdue() == 0)
            #expect(try await world.request(.get, "/v1/staff/applications/overdue", token: clerk).decode(ApplicationList.self).items.isEmpty)

            // The day after the promised date (sessions of a month ago have expired).
            clock.set(LocalDate(iso: late.promised_date)!.adding(days: 1).instant(hour: 9, minute: 0))
            (clerk, citizen) = (try await world.staff("nanjing-clerk"), try await world.citizen("waiting"))
            let overdue = try await world.request(.get, "/v1/staff/applications/overdue", token: clerk).decode(ApplicationList.self)
            #expect(overdue.items.map(\.number) == [late.number] && overdue.items[0].overdue)
            let wuxiOverdue = try await world.request(.get, "/v1/staff/applications/overdue", token: try await world.staff("wuxi-manager"))
            #expect(try wuxiOverdue.decode(ApplicationList.self).items.map(\.number) == [inWuxi.number])
            #expect(try await world.request(.get, "/v1/applications/\(late.number)", token: citizen).decode(ApplicationBody.self).overdue)

            #expect(try await world.services.applications.noteOverdue() == 2)  // Nanjing's and Wuxi's
            #expect(try await world.services.applications.noteOverdue() == 0)  // once each
            let reported = try await receiver.wait(seconds: 20) { $0.contains { $0.text.contains(late.number) } }
            try await Task.sleep(for: .milliseconds(300))
            let office = receiver.receipts("office")
            #expect(reported.contains { $0.text.contains("【办件超期】") })
            #expect(office.count == 1 && office[0].text.contains(late.number), "Nanjing's group hears of Nanjing's only, once")

            // Deciding it takes it off the list.
            for step in ["accepted", "in_review", "rejected"] {
                let json = step == "rejected" ? #"{"status":"rejected","reason":"材料不全"}"# : #"{"status":"\#(step)"}"#
                #expect(try await world.advance(late.number, json, token: clerk).status == .ok)
            }
            #expect(try await world.request(.get, "/v1/staff/applications/overdue", token: clerk).decode(ApplicationList.self).items.isEmpty)
        }
    }

    @Test func anonymousLookUpsAreLimitedPerCallerAndPerNumber() async throws {
        try await withBookingWorld(live: true, configure: { $0.rateLimits.applicationLookups = .init(perSecond: 5.0 / 3600, burst: 5) }) { world in
            let citizen = try await world.citizen("guessed")
            let first = try await world.apply(couple: 551, token: citizen).decode(ApplicationBody.self).number
            let second = try await world.apply(couple: 552, token: citizen).decode(ApplicationBody.self).number
            // The world is reached over loopback, a proxy network: X-Forwarded-For names the caller.
            func lookUp(_ number: String, suffix: String, from address: String) async throws -> WorldResponse {
                try await world.request(.post, "/v1/application-lookups", headers: [HTTPField.Name("X-Forwarded-For")!: address],
                                        json: #"{"number":"\#(number)","id_suffix":"\#(suffix)"}"#)
            }
            for guess in 0..<5 {
                #expect(try await lookUp(first, suffix: String(format: "%06d", guess), from: "203.0.113.1").status == .notFound)
            }
            let refused = try await lookUp(first, suffix: String(TestIDs.couple(551).man.suffix(6)), from: "203.0.113.1")
            #expect(refused.status == .tooManyRequests && refused.problemCode == "too_many_lookups")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0)
            // The caller is spent, for any number; the number is spent, for any caller.
            #expect(try await lookUp(second, suffix: String(TestIDs.couple(552).man.suffix(6)), from: "203.0.113.1").status == .tooManyRequests)
            #expect(try await lookUp(first, suffix: String(TestIDs.couple(551).man.suffix(6)), from: "203.0.113.2").status == .tooManyRequests)
            #expect(try await lookUp(second, suffix: String(TestIDs.couple(552).man.suffix(6)), from: "203.0.113.2").status == .ok)
        }
    }

    @Test func tenWrongGuessesCloseAnApplicationToAnonymousLookUpsForADay() async throws {
        let clock = TestClock()
        // No per-process limit: what refuses here is the count kept in the database. Guesses race over real HTTP.
        try await withBookingWorld(live: true, configure: { $0.rateLimits.applicationLookups = nil }, now: clock.now) { world in
            let citizen = try await world.citizen("targeted")
            let target = try await world.apply(couple: 561, token: citizen).decode(ApplicationBody.self).number
            let other = try await world.apply(couple: 562, token: citizen).decode(ApplicationBody.self).number
            let right = String(TestIDs.couple(561).man.suffix(6))
            // A right answer is not counted, but it takes no wrong one away: once, it started the count again, and a
            // guesser who waited for the citizen's own look-ups got ten more guesses after each.
            #expect(try await world.lookUp(target, suffix: "000000").status == .notFound)
            #expect(try await world.lookUp(target, suffix: right).status == .ok)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for guess in 1...25 {
                    group.addTask { Int(try await world.lookUp(target, suffix: String(format: "%06d", guess)).status.code) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 404 }.count == ApplicationService.failedLookupLimit - 1 && statuses.filter { $0 == 429 }.count == 16,
                    "\(statuses.sorted())")
            let closed = try await world.lookUp(target, suffix: right)
            #expect(closed.status == .tooManyRequests && closed.problemCode == "too_many_lookups")
            #expect(try await world.request(.get, "/v1/applications/\(target)", token: citizen).status == .ok, "its citizen still sees it")
            #expect(try await world.lookUp(other, suffix: String(TestIDs.couple(562).man.suffix(6))).status == .ok, "others are not closed")
            clock.set(Date().addingTimeInterval(ApplicationService.failedLookupWindow + 60))
            #expect(try await world.lookUp(target, suffix: right).status == .ok, "a day later it opens again")
        }
    }

    @Test func catalogueCheckNamesTheItemLevelAndAttributeThatDrifted() async throws {
        try await withBookingWorld { world in
            let clean = try runCommand(["catalogue", "check"], world.configuration)
            #expect(clean.status == 0 && clean.output.contains("catalogue consistent: 46 items published by 109 levels"), "\(clean.output)")
            try await execute("UPDATE service_publications SET name = name || '（试行）' WHERE division_code = '320102' AND item_code = 'MZ-03-001'",
                              world.configuration)
            try await execute("UPDATE service_publications SET legal_basis = '《苏州市某办法》' WHERE division_code = '3205' AND item_code = 'MZ-02-001'",
                              world.configuration)
            let drifted = try runCommand(["catalogue", "check"], world.configuration)
            #expect(drifted.status == 1, "\(drifted.output)")
            #expect(drifted.output.contains("item MZ-03-001: name differs between province 32 (最低生活保障审核确认) and 320102 (最低生活保障审核确认（试行）)"),
                    "\(drifted.output)")
            #expect(drifted.output.contains("item MZ-02-001: legal_basis differs between province 32") && drifted.output.contains("and 3205 (《苏州市某办法》)"))
            #expect(drifted.output.contains("catalogue DRIFTS: 2 difference(s)"))
        }
    }
}
