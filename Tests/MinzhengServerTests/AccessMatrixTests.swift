import Foundation
import HTTPTypes
import MinzhengCore
import MinzhengTesting
import Testing

/// Who may do what: every operation of the API, called by every kind of caller, with the exact status each gets.
/// Staff are Nanjing's (3201) unless named otherwise; the resources belong to Nanjing and to the citizen `owner`.
/// Within one operation the callers go in the order of `Role.allCases`, the ones allowed to change something last,
/// so a refused caller is shown to change nothing the allowed one then finds.
@Suite struct AccessMatrixTests {
    enum Role: String, CaseIterable, Sendable {
        case anonymous, client, stranger, wuxiManager, clerk, owner, manager, admin
    }

    struct Call: Sendable {
        let method: HTTPRequest.Method
        let path: String
        let json: String?
        /// The status each role gets; roles not named get `others`.
        let expected: [Role: Int]
        let others: Int

        init(_ method: HTTPRequest.Method, _ path: String, json: String? = nil, _ expected: [Role: Int], others: Int) {
            self.method = method
            self.path = path
            self.json = json
            self.expected = expected
            self.others = others
        }
    }

    @Test func everyCallerGetsExactlyTheAnswerItsRoleAllows() async throws {
        // Webhook URLs on loopback (this machine resolves no public names); the worker is not needed.
        try await withBookingWorld(configure: { $0.notifyAllowPrivate = true; $0.notifyWorker = false }) { world in
            let staff = try await (manager: world.staff("nanjing-manager"), clerk: world.staff("nanjing-clerk"),
                                   wuxi: world.staff("wuxi-manager"), admin: world.staff("province"))
            let owner = try await world.citizen("owner"), stranger = try await world.citizen("stranger")
            let date = try await world.bookableDay()
            let booked = try await world.book(world.bookingJSON(date: date, couple: 77), token: owner)
            let booking = try booked.decode(BookingBody.self)
            let second = try await world.book(world.bookingJSON(date: date, couple: 78), token: owner).decode(BookingBody.self)
            let office = BookingWorld.nanjingXuanwu
            let later = LocalDate(iso: date)!.adding(days: 45).description
            let hook = try await world.request(.post, "/v1/staff/webhooks", token: staff.manager,
                                               json: #"{"channel":"wecom","url":"http://127.0.0.1:9/cgi-bin/webhook/send?key=k","events":["booking.confirmed"]}"#)
            let webhookID = try hook.decode(WebhookBody.self).id
            let facilities: ListPage<FacilityID> = try await world.request(.get, "/v1/eldercare-facilities?division=3201&limit=1").decode()
            let facility = try #require(facilities.items.first).id
            let org: ListPage<OrgCode> = try await world.request(.get, "/v1/social-orgs?limit=1").decode()
            let credit = try #require(org.items.first).code
            let applicationJSON = Self.applicationJSON(couple: 90)
            let application = try await world.request(.post, "/v1/applications", token: owner, json: applicationJSON).decode(ApplicationBody.self)
            let idSuffix = String(TestIDs.couple(90).man.suffix(6))

            let publicRead = [Role: Int]()  // everyone 200
            let calls: [Call] = [
                Call(.get, "/healthz", publicRead, others: 200),
                Call(.get, "/readyz", publicRead, others: 200),
                Call(.get, "/v1/divisions?q=南京", publicRead, others: 200),
                Call(.get, "/v1/divisions/3201", publicRead, others: 200),
                Call(.get, "/v1/divisions/3201/children", publicRead, others: 200),
                Call(.get, "/v1/directory", publicRead, others: 200),
                Call(.get, "/v1/directory/marriage-registry?division=3201", publicRead, others: 200),
                Call(.get, "/v1/directory/marriage-registry/\(office)", publicRead, others: 200),
                Call(.get, "/v1/marriage-registries/\(office)/availability?from=\(date)&to=\(date)", publicRead, others: 200),
                Call(.get, "/v1/social-orgs/verify?code=\(credit)", publicRead, others: 200),
                Call(.get, "/v1/social-orgs?limit=1", publicRead, others: 200),
                Call(.get, "/v1/social-orgs/\(credit)", publicRead, others: 200),
                Call(.get, "/v1/eldercare-facilities?division=3201", publicRead, others: 200),
                Call(.get, "/v1/eldercare-facilities/\(facility)", publicRead, others: 200),
                Call(.get, "/v1/marriage-registries/\(office)/draws/\(later)", publicRead, others: 404),
                // Sessions: an app opens its citizens' sessions with its key; staff log in with a password.
                Call(.post, "/v1/citizen-sessions", json: #"{"subject":"matrix"}"#, [.client: 201], others: 401),
                Call(.post, "/v1/staff/sessions", json: #"{"username":"nanjing-clerk","password":"\#(BookingWorld.password)"}"#, [:], others: 201),
                // A citizen's own things: others are told nothing exists, or to sign in.
                Call(.get, "/v1/marriage-bookings", [.owner: 200, .stranger: 200], others: 401),
                Call(.get, "/v1/marriage-bookings/\(booking.id)", [.owner: 200, .stranger: 404], others: 401),
                Call(.post, "/v1/marriage-bookings/\(booking.id)/reschedule", json: #"{"date":"\#(date)","period":"10:00"}"#,
                     [.owner: 200, .stranger: 404], others: 401),
                Call(.post, "/v1/marriage-bookings/\(second.id)/cancel", [.owner: 200, .stranger: 404], others: 401),
                // The stranger books the couple first; the same people cannot hold a second booking.
                Call(.post, "/v1/marriage-bookings", json: world.bookingJSON(date: date, couple: 79), [.stranger: 201, .owner: 409], others: 401),
                Call(.get, "/v1/marriage-waitlist", [.owner: 200, .stranger: 200], others: 401),
                Call(.post, "/v1/marriage-waitlist/wl_missing/leave", [.owner: 404, .stranger: 404], others: 401),
                Call(.get, "/v1/marriage-draws/entries", [.owner: 200, .stranger: 200], others: 401),
                Call(.post, "/v1/marriage-waitlist", json: world.bookingJSON(date: date, couple: 80), [.owner: 409, .stranger: 409], others: 401),
                Call(.post, "/v1/marriage-draws/entries", json: #"{"office_id":\#(office),"date":"\#(later)","preferences":["09:00"],"applicants":\#(Self.applicants)}"#,
                     [.owner: 409, .stranger: 409], others: 401),
                // The service catalogue is public; applications are their citizen's, and their division's staff's.
                Call(.get, "/v1/service-items?division=320102", publicRead, others: 200),
                Call(.get, "/v1/service-items/MZ-03-001?division=320102", publicRead, others: 200),
                Call(.post, "/v1/applications", json: applicationJSON, [.owner: 201, .stranger: 201], others: 401),
                Call(.get, "/v1/applications", [.owner: 200, .stranger: 200], others: 401),
                Call(.get, "/v1/applications/\(application.number)", [.owner: 200, .stranger: 404], others: 401),
                Call(.post, "/v1/application-lookups", json: #"{"number":"\#(application.number)","id_suffix":"\#(idSuffix)"}"#, publicRead, others: 200),
                Call(.get, "/v1/staff/applications", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 200], others: 401),
                Call(.get, "/v1/staff/applications/overdue", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 200], others: 401),
                Call(.post, "/v1/staff/applications/\(application.number)/reveal", json: #"{"reason":"核实申请人身份"}"#,
                     [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                // The clerk accepts it; after that, accepting again is no longer a step forward.
                Call(.post, "/v1/staff/applications/\(application.number)/transitions", json: #"{"status":"accepted"}"#,
                     [.wuxiManager: 404, .clerk: 200, .manager: 409, .admin: 409], others: 401),
                // An app's own webhook.
                Call(.get, "/v1/client-webhook", [.client: 404], others: 401),
                Call(.put, "/v1/client-webhook", json: #"{"url":"http://127.0.0.1:9/hook","events":["booking.confirmed"]}"#, [.client: 200], others: 401),
                Call(.delete, "/v1/client-webhook", [.client: 204], others: 401),
                // Staff: their own division only; managers change offices, clerks work the window.
                Call(.get, "/v1/staff/marriage-registries/\(office)/roster?date=\(date)", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                Call(.get, "/v1/staff/marriage-registries/\(office)/utilisation?from=\(date)&to=\(date)", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                Call(.get, "/v1/staff/marriage-registries/\(office)/schedule", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                Call(.get, "/v1/staff/marriage-registries/\(office)/live?date=\(date)", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                Call(.put, "/v1/staff/marriage-registries/\(office)/capacity", json: #"{"date":"\#(date)","service":"marriage","capacity":12,"period":"09:00"}"#,
                     [.clerk: 403, .manager: 204, .admin: 204, .wuxiManager: 404], others: 401),
                Call(.post, "/v1/staff/marriage-bookings/\(booking.code)/reveal", json: #"{"reason":"核对证件"}"#,
                     [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                Call(.post, "/v1/staff/marriage-bookings/\(booking.code)/check-in", [.clerk: 409, .manager: 409, .admin: 409, .wuxiManager: 404], others: 401),
                Call(.post, "/v1/staff/marriage-bookings/\(booking.code)/no-show", [.clerk: 409, .manager: 409, .admin: 409, .wuxiManager: 404], others: 401),
                Call(.put, "/v1/staff/marriage-registries/\(office)/high-demand-dates/\(later)", [.clerk: 403, .manager: 204, .admin: 204, .wuxiManager: 404], others: 401),
                Call(.post, "/v1/staff/marriage-registries/\(office)/closures", json: #"{"date":"\#(later)","reason":"检修"}"#,
                     [.clerk: 403, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                Call(.post, "/v1/staff/marriage-registries/\(office)/open-days", json: #"{"date":"\#(later)","reason":"加开"}"#,
                     [.clerk: 403, .manager: 204, .admin: 204, .wuxiManager: 404], others: 401),
                Call(.patch, "/v1/staff/eldercare-facilities/\(facility)", json: #"{"beds_free":3}"#,
                     [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 404], others: 401),
                Call(.post, "/v1/staff/webhooks", json: #"{"channel":"wecom","url":"http://127.0.0.1:9/send?key=m","events":["office.closed"],"division":"3201"}"#,
                     [.clerk: 403, .wuxiManager: 403, .manager: 201, .admin: 201], others: 401),
                Call(.put, "/v1/staff/marriage-registries/\(office)/schedule", json: Self.standardSchedule,
                     [.clerk: 403, .wuxiManager: 404, .manager: 200, .admin: 200], others: 401),
                Call(.get, "/v1/staff/webhooks", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 200], others: 401),
                Call(.get, "/v1/staff/deliveries", [.clerk: 200, .manager: 200, .admin: 200, .wuxiManager: 200], others: 401),
                Call(.post, "/v1/staff/deliveries/msg_missing/retry", [.clerk: 403, .manager: 404, .admin: 404, .wuxiManager: 404], others: 401),
                Call(.delete, "/v1/staff/webhooks/\(webhookID)", [.clerk: 403, .wuxiManager: 404, .manager: 204, .admin: 404 /* gone */], others: 401),
                Call(.get, "/v1/staff/accounts", [.clerk: 403, .manager: 403, .wuxiManager: 403, .admin: 200], others: 401),
                Call(.post, "/v1/staff/accounts", json: #"{"username":"new-clerk","password":"a long enough password","role":"clerk","division":"3201"}"#,
                     [.clerk: 403, .manager: 403, .wuxiManager: 403, .admin: 201], others: 401),
                Call(.post, "/v1/staff/accounts/new-clerk/disable", [.clerk: 403, .manager: 403, .wuxiManager: 403, .admin: 200], others: 401),
            ]

            let tokens: [Role: HTTPFields] = [
                .anonymous: [:], .client: [HTTPField.Name("X-Client-Key")!: world.clientKey],
                .stranger: [.authorization: "Bearer \(stranger)"], .owner: [.authorization: "Bearer \(owner)"],
                .clerk: [.authorization: "Bearer \(staff.clerk)"], .manager: [.authorization: "Bearer \(staff.manager)"],
                .wuxiManager: [.authorization: "Bearer \(staff.wuxi)"], .admin: [.authorization: "Bearer \(staff.admin)"],
            ]
            var table: [String] = []
            for call in calls {
                var row = "\(call.method) \(call.path.prefix(70))"
                for role in Role.allCases {
                    var headers = tokens[role]!
                    headers[HTTPField.Name("Idempotency-Key")!] = UUID().uuidString
                    let response = try await world.request(call.method, call.path, headers: headers, json: call.json)
                    let expected = call.expected[role] ?? call.others
                    row += " \(role.rawValue)=\(response.status.code)"
                    #expect(Int(response.status.code) == expected, "\(role) \(call.method) \(call.path): \(String(buffer: response.body).prefix(200))")
                    if response.status.code >= 400 {
                        #expect(response.headers[.contentType] == "application/problem+json", "\(role) \(call.method) \(call.path)")
                    }
                }
                table.append(row)
            }
            // Every operation of the document is in the table.
            let operations = try OpenAPIDocument.operations()
            let covered = Set(calls.compactMap { call in
                let segments = call.path.split(separator: "?")[0].split(separator: "/")
                return operations.firstIndex { $0.method == call.method.rawValue && $0.segments.count == segments.count
                    && zip($0.segments, segments).allSatisfy { $0.first == "{" || $0 == $1 } }
            })
            #expect(operations.count >= 60 && covered.count == operations.count,
                    "not called: \(operations.indices.filter { !covered.contains($0) }.map { "\(operations[$0].method) /\(operations[$0].segments.joined(separator: "/"))" })")
            if ProcessInfo.processInfo.environment["MINZHENG_PRINT_MATRIX"] != nil { print(table.joined(separator: "\n")) }
        }
    }

    static let applicants = #"[{"name":"张三","id_number":"\#(TestIDs.couple(81).man)","phone":"13800138000"},{"name":"李四","id_number":"\#(TestIDs.couple(81).woman)","phone":"13900139000"}]"#
    static func applicationJSON(couple: Int) -> String {
        #"{"item_code":"MZ-03-001","division":"320102","applicant":{"name":"张三","id_number":"\#(TestIDs.couple(couple).man)","phone":"13800138000"}}"#
    }

    static let standardSchedule = #"""
        {"periods":["09:00-10:00","10:00-11:00","11:00-12:00","14:00-15:00","15:00-16:00","16:00-17:00"],
         "default_capacity":{"marriage":10,"divorce_application":5,"divorce_certificate":5,"reissue":5},
         "booking_window":{"min_days_ahead":1,"max_days_ahead":30,"closing_hour":15}}
        """#

    struct FacilityID: Decodable { let id: Int64 }
    struct OrgCode: Decodable { let code: String }
}
