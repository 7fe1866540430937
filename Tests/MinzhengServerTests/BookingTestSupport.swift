import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MinzhengCore
import MinzhengServer
import MinzhengTesting
import NIOCore
import Testing

/// A running application with an app client and staff accounts, for the booking tests.
struct BookingWorld: Sendable {
    let client: any TestClientProtocol
    let clientKey: String
    /// The same data directory's services, for reading what the API does not show (the audit log).
    let services: Services
    /// The data directory (SQLite file, key) and configuration, for processes started beside the app.
    let configuration: ServerConfiguration
    static let password = "correct horse battery"

    /// The first office of a city's registries, by directory id.
    static let nanjingXuanwu: Int64 = 9  // 南京市玄武区婚姻登记处
    static let nanjingQinhuai: Int64 = 14  // 南京市秦淮区婚姻登记处
    static let wuxi: Int64 = 72  // 无锡市锡山区婚姻登记处

    /// On a live server every request has a connection of its own: requests sent at once then really run at once
    /// (one connection would carry them one after another).
    func request(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, headers: HTTPFields = [:], json: String? = nil) async throws -> WorldResponse {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        if json != nil { headers[.contentType] = "application/json" }
        let body = json.map { ByteBuffer(string: $0) }
        if let port = client.port {
            let sending = headers
            // Patience for a request, not a latency claim: racing requests for one place run one after another on its
            // row lock. Under the whole PostgreSQL pass (debug build, every suite at once, 2 cores) one statement waited
            // 30 s for that lock, holder after holder, and transactions stayed open up to 37 s (docs/reliability.md).
            // With 60 s, a request timed out twice, most likely queued behind such a chain. One that never ends still fails.
            let response = try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(240))) {
                try await $0.execute(.init(path, method: method, headers: sending, body: body))
            }
            return WorldResponse(head: response.head, body: response.body ?? ByteBuffer())
        }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        return WorldResponse(head: response.head, body: response.body)
    }

    func citizen(_ subject: String) async throws -> String {
        let response = try await request(.post, "/v1/citizen-sessions", headers: [HTTPField.Name("X-Client-Key")!: clientKey], json: #"{"subject":"\#(subject)"}"#)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try JSONDecoder().decode(Token.self, from: Data(buffer: response.body)).token
    }

    func staff(_ username: String) async throws -> String {
        let response = try await request(.post, "/v1/staff/sessions", json: #"{"username":"\#(username)","password":"\#(Self.password)"}"#)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try JSONDecoder().decode(Token.self, from: Data(buffer: response.body)).token
    }

    /// A day that can be booked now and stays bookable for the test's length: two or more days ahead.
    func bookableDay(office: Int64 = nanjingXuanwu) async throws -> String {
        let today = LocalDate.today(at: Date())
        let path = "/v1/marriage-registries/\(office)/availability?service=marriage&from=\(today.adding(days: 2))&to=\(today.adding(days: 29))"
        let days = try JSONDecoder().decode(AvailabilityBody.self, from: Data(buffer: try await request(.get, path).body)).days
        return try #require(days.first { $0.open }).date
    }

    func bookingJSON(office: Int64 = nanjingXuanwu, date: String, period: String = "09:00", service: String = "marriage",
                     couple n: Int, extra: String = "") -> String {
        let (man, woman) = TestIDs.couple(n)
        let applicants = service == "reissue"
            ? #"[{"name":"张三","id_number":"\#(man)","phone":"13800138000"}]"#
            : #"[{"name":"张三","id_number":"\#(man)","phone":"13800138000"},{"name":"李四","id_number":"\#(woman)","phone":"13900139000"}]"#
        return #"{"office_id":\#(office),"date":"\#(date)","period":"\#(period)","service":"\#(service)","applicants":\#(applicants)\#(extra)}"#
    }

    func book(_ json: String, token: String, key: String = UUID().uuidString) async throws -> WorldResponse {
        try await request(.post, "/v1/marriage-bookings", token: token, headers: [HTTPField.Name("Idempotency-Key")!: key], json: json)
    }

    func setCapacity(_ capacity: Int, office: Int64 = nanjingXuanwu, date: String, period: String? = "09:00", token: String) async throws -> WorldResponse {
        let periodField = period.map { #","period":"\#($0)""# } ?? ""
        return try await request(.put, "/v1/staff/marriage-registries/\(office)/capacity", token: token,
                                 json: #"{"date":"\#(date)","service":"marriage","capacity":\#(capacity)\#(periodField)}"#)
    }

    func period(office: Int64 = nanjingXuanwu, date: String, period: String = "09:00") async throws -> AvailabilityBody.Period {
        let body = try await request(.get, "/v1/marriage-registries/\(office)/availability?service=marriage&from=\(date)&to=\(date)").body
        let day = try #require(try JSONDecoder().decode(AvailabilityBody.self, from: Data(buffer: body)).days.first)
        return try #require(day.periods.first { $0.period == period })
    }

    func roster(office: Int64 = nanjingXuanwu, date: String, token: String) async throws -> [BookingBody] {
        let response = try await request(.get, "/v1/staff/marriage-registries/\(office)/roster?date=\(date)", token: token)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try JSONDecoder().decode(RosterBody.self, from: Data(buffer: response.body)).items
    }
}

/// Builds the app on a fresh data directory with an app client and four staff members:
/// `province` (admin, 32), `nanjing-manager` and `nanjing-clerk` (3201), `wuxi-manager` (3202).
func withBookingWorld(live: Bool = false, logger: Logger? = nil, configure: (inout ServerConfiguration) -> Void = { _ in },
                      now: @escaping @Sendable () -> Date = Date.init, _ body: @escaping @Sendable (BookingWorld) async throws -> Void) async throws {
    let directory = try await seededDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let logger = logger ?? {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()
    var configuration = try await testConfiguration(directory)
    configuration.reloadInterval = .milliseconds(200)
    configure(&configuration)
    let services = try await watched("starting the services") { try await Services.start(configuration, logger: logger, now: now) }
    let configured = configuration
    try await closing(services.storage) {
        let key = try await services.identity.createClient(name: "测试应用").key
        for (name, role, division) in [("province", StaffRole.admin, "32"), ("nanjing-manager", .manager, "3201"),
                                       ("nanjing-clerk", .clerk, "3201"), ("wuxi-manager", .manager, "3202")] {
            _ = try await services.identity.createStaff(username: name, password: BookingWorld.password, role: role, division: DivisionCode(division)!)
        }
        let app = try buildApplication(configured, services: services, logger: logger)
        try await watched("the test's body and the application's shutdown", seconds: 240) {
            try await app.test(live ? .live : .router) { client in
                try await body(BookingWorld(client: client, clientKey: key, services: services, configuration: configured))
            }
        }
    }
}

struct Token: Decodable { let token: String }

struct AvailabilityBody: Decodable {
    struct Period: Decodable { let period: String; let capacity: Int; let remaining: Int; let booked: Int? }
    struct Day: Decodable { let date: String; let open: Bool; let periods: [Period] }
    let days: [Day]
}

struct BookingBody: Decodable {
    struct Applicant: Decodable { let name: String; let id_number: String; let phone: String }
    let id: String
    let code: String
    let status: String
    let date: String
    let period: String
    let service: String
    let applicants: [Applicant]
}

struct RosterBody: Decodable { let items: [BookingBody] }

/// An answer from the booking world's server, whichever way it was asked.
struct WorldResponse: Sendable {
    let head: HTTPResponse
    let body: ByteBuffer
    var status: HTTPResponse.Status { head.status }
    var headers: HTTPFields { head.headerFields }
}

protocol AnswerBody {
    var body: ByteBuffer { get }
}

extension TestResponse: AnswerBody {}
extension WorldResponse: AnswerBody {}

extension AnswerBody {
    var problemCode: String? { (try? JSONDecoder().decode(ProblemBody.self, from: Data(buffer: body)))?.code }
    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T { try JSONDecoder().decode(T.self, from: Data(buffer: body)) }
}
