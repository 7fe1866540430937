import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengServer
import MinzhengTesting
import NIOCore
import Testing

/// Several `minzheng serve` processes on one PostgreSQL, as a province that outgrows one machine runs them:
/// bookings raced across all of them never overbook, and with every process's delivery worker running, each
/// event reaches a subscription exactly once.
@Suite struct ScaleOutTests {
    static let databaseURL = ProcessInfo.processInfo.environment["MINZHENG_TEST_DATABASE_URL"]

    // Runs in the SQLite pass of `make test` (the worlds' backend does not matter here; it starts its own processes).
    @Test(.enabled(if: databaseURL != nil && Fixtures.postgresURLForWorlds == nil, "needs MINZHENG_TEST_DATABASE_URL"))
    func threeServersRaceSixHundredAttemptsForThirtyPlaces() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        try await withSharedDatabase { services, configuration in try await race(services, configuration, receiver) }
    }

    /// A process remembers full periods for long only because every other process tells it when a place comes free.
    @Test(.enabled(if: databaseURL != nil && Fixtures.postgresURLForWorlds == nil, "needs MINZHENG_TEST_DATABASE_URL"))
    func aPlaceFreedOnOneServerIsOfferedOnTheOtherAtOnce() async throws {
        try await withSharedDatabase { services, configuration in
            let clientKey = try await services.identity.createClient(name: "测试应用").key
            _ = try await services.identity.createStaff(username: "manager", password: BookingWorld.password, role: .manager, division: DivisionCode("3201")!)
            let servers = try (0..<2).map { _ in try ServerProcess.start(configuration) }
            defer { for server in servers { server.stop() } }
            for server in servers { try await server.waitUntilHealthy() }
            let url = try #require(configuration.databaseURL), logger = Logger(label: "test")
            // Both servers listening (their listener's last statement is its LISTEN) before any place is taken.
            var listeners: Int64 = 0
            for _ in 0..<100 where listeners < 2 {
                listeners = try await PostgresDatabase.withTemporaryPool(url: url, logger: logger) { database in
                    try await database.client.query(
                        "SELECT count(*)::bigint FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
                        logger: logger).collect().first?.decode(Int64.self) ?? 0
                }
                if listeners < 2 { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(listeners >= 2, "both servers listen")
            let (first, second) = (servers[0], servers[1])
            let manager = try await first.token("/v1/staff/sessions", json: #"{"username":"manager","password":"\#(BookingWorld.password)"}"#)
            let citizen = try await first.token("/v1/citizen-sessions", json: #"{"subject":"freed"}"#, headers: [HTTPField.Name("X-Client-Key")!: clientKey])
            let date = try await first.bookableDay()
            _ = try await first.json(.put, "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/capacity", token: manager, expect: .noContent,
                                     #"{"date":"\#(date)","service":"marriage","capacity":1,"period":"10:00"}"#)
            func attempt(_ server: ServerProcess, couple: Int) async throws -> (status: Int, id: String?) {
                let (man, woman) = TestIDs.couple(46_000 + couple)
                let body = #"{"office_id":\#(BookingWorld.nanjingXuanwu),"date":"\#(date)","period":"10:00","service":"marriage","applicants":[{"name":"张三","id_number":"\#(man)","phone":"13800138000"},{"name":"李四","id_number":"\#(woman)","phone":"13900139000"}]}"#
                let response = try await TestClient.withClient(host: "127.0.0.1", port: server.port) { client in
                    try await client.execute(.init("/v1/marriage-bookings", method: .post,
                                                   headers: [.authorization: "Bearer \(citizen)", .contentType: "application/json",
                                                             HTTPField.Name("Idempotency-Key")!: UUID().uuidString],
                                                   body: ByteBuffer(string: body)))
                }
                if response.head.status.code == 400 { Issue.record("\(String(decoding: response.data, as: UTF8.self))") }
                let id = (try? JSONSerialization.jsonObject(with: response.data) as? [String: Any])?["id"] as? String
                return (Int(response.head.status.code), id)
            }
            let booked = try await attempt(first, couple: 1)
            #expect(booked.status == 201)
            try await Task.sleep(for: .milliseconds(300))  // for the announcement of the period's last place to arrive

            // A place added behind every server's back (triggers off for this transaction, so nobody is told). Both
            // servers still refuse from memory after more than a second: the first took the last place, the second
            // only heard so, and both listen.
            try await PostgresDatabase.withTemporaryPool(url: url, logger: logger) { database in
                try await database.client.withTransaction(logger: logger) { connection in
                    _ = try await connection.query("SET LOCAL session_replication_role = replica", logger: logger).collect()
                    _ = try await connection.query("""
                        UPDATE slots SET capacity = capacity + 1
                        WHERE office_id = \(BookingWorld.nanjingXuanwu) AND date = \(date) AND period = '10:00' AND service = 'marriage'
                        """, logger: logger).collect()
                }
            }
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(try await attempt(second, couple: 2).status == 409, "the second server heard that the period filled")
            #expect(try await attempt(first, couple: 3).status == 409, "a full period is remembered while the others are heard")

            // A cancellation through the second server: the first hears of it and offers the period again.
            let bookingID = try #require(booked.id)
            _ = try await second.json(.post, "/v1/marriage-bookings/\(bookingID)/cancel", token: citizen, expect: .ok, "{}")
            var offered = false
            for couple in 4..<54 where !offered {
                offered = try await attempt(first, couple: couple).status == 201
                if !offered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(offered, "the first server offered the freed place within about 5 s (its memory lasts 30)")
        }
    }

    /// A fresh PostgreSQL database, seeded, with the services of this process on it, for servers to share.
    private func withSharedDatabase(_ body: (Services, ServerConfiguration) async throws -> Void) async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = ServerConfiguration(port: 0, dataDirectory: directory, seedDirectory: Fixtures.seedDirectory)
        configuration.databaseURL = try await PostgresTemplate.shared.freshDatabase(try #require(Self.databaseURL))
        configuration.secretKey = PersonalDataCipher.generateMasterKey().base64EncodedString()
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let services = try await Services.start(configuration, logger: logger)
        try await closing(services.storage) { try await body(services, configuration) }
    }

    private func race(_ services: Services, _ configuration: ServerConfiguration, _ receiver: RobotReceiver) async throws {
        let clientKey = try await services.identity.createClient(name: "测试应用").key
        _ = try await services.identity.createStaff(username: "manager", password: BookingWorld.password, role: .manager, division: DivisionCode("3201")!)
        let servers = try (0..<3).map { _ in try ServerProcess.start(configuration) }
        defer { for server in servers { server.stop() } }
        for server in servers { try await server.waitUntilHealthy() }

        let first = servers[0]
        let manager = try await first.token("/v1/staff/sessions", json: #"{"username":"manager","password":"\#(BookingWorld.password)"}"#)
        let hook = try await first.json(.post, "/v1/staff/webhooks", token: manager, expect: .created,
                                        #"{"channel":"webhook","url":"\#(receiver.url("hook", "k"))","events":["booking.confirmed"]}"#)
        receiver.setSecret("k", try #require(hook["secret"] as? String))
        let date = try await first.bookableDay()
        _ = try await first.json(.put, "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/capacity", token: manager, expect: .noContent,
                                 #"{"date":"\#(date)","service":"marriage","capacity":30,"period":"09:00"}"#)
        let citizens = try await (0..<8).asyncMap { n in
            try await first.token("/v1/citizen-sessions", json: #"{"subject":"scale-\#(n)"}"#, headers: [HTTPField.Name("X-Client-Key")!: clientKey])
        }

        // 24 connections, eight to each server, 25 attempts each: 600 couples for 30 places.
        let outcomes = try await withThrowingTaskGroup(of: [(status: Int, id: String?)].self) { group in
            for connection in 0..<24 {
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: servers[connection % 3].port) { client in
                        var outcomes: [(status: Int, id: String?)] = []
                        for attempt in 0..<25 {
                            let n = connection * 25 + attempt
                            let (man, woman) = TestIDs.couple(40_000 + n)
                            let body = #"{"office_id":\#(BookingWorld.nanjingXuanwu),"date":"\#(date)","period":"09:00","service":"marriage","applicants":[{"name":"张三","id_number":"\#(man)","phone":"13800138000"},{"name":"李四","id_number":"\#(woman)","phone":"13900139000"}]}"#
                            let response = try await client.execute(.init(
                                "/v1/marriage-bookings", method: .post,
                                headers: [.authorization: "Bearer \(citizens[n % citizens.count])", .contentType: "application/json",
                                          HTTPField.Name("Idempotency-Key")!: UUID().uuidString],
                                body: ByteBuffer(string: body)))
                            let id = response.head.status == .created
                                ? (try JSONSerialization.jsonObject(with: response.data) as? [String: Any])?["id"] as? String : nil
                            outcomes.append((response.head.status.code, id))
                        }
                        return outcomes
                    }
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let booked = Set(outcomes.compactMap(\.id))
        #expect(booked.count == 30, "confirmed \(booked.count)")
        #expect(outcomes.filter { $0.status == 201 }.count == 30)
        #expect(outcomes.filter { $0.status == 409 }.count == 570)
        #expect(outcomes.allSatisfy { $0.status < 500 }, "server errors: \(outcomes.filter { $0.status >= 500 }.count)")
        let usage = try await services.storage.bookings.officeCalendar(officeID: BookingWorld.nanjingXuanwu, from: LocalDate(iso: date)!,
                                                                        to: LocalDate(iso: date)!)
        #expect(usage.usage[LocalDate(iso: date)!]?.first { $0.period == "09:00" && $0.service == .marriage }?.booked == 30)

        // Three workers share the outbox: every booking's event arrives, once, under its own webhook-id.
        let receipts = try await receiver.wait(seconds: 60) { Set($0.compactMap(\.webhookID)).count >= 30 }
        try await Task.sleep(for: .seconds(2))
        let got = receiver.receipts("k")
        #expect(got.count == 30 && Set(got.compactMap(\.webhookID)).count == 30, "\(got.count) requests, \(receipts.count) at first")
        #expect(got.allSatisfy { $0.signatureValid == true })
        let bookingIDs = Set(got.compactMap { receipt -> String? in
            let event = try? JSONSerialization.jsonObject(with: receipt.body) as? [String: Any]
            return (event?["data"] as? [String: Any])?["booking_id"] as? String
        })
        #expect(bookingIDs == booked)
    }
}

/// `minzheng serve` as a process of its own on a free loopback port, sharing the test's configuration.
struct ServerProcess {
    let process: Process
    let port: Int

    static func start(_ configuration: ServerConfiguration) throws -> ServerProcess {
        let port = try LoopbackSocket.freePort()
        let process = Process()
        process.executableURL = WorkerProcess.binary
        process.arguments = ["serve"]
        var environment = [
            "MINZHENG_PORT": "\(port)",
            "MINZHENG_DATA_DIR": configuration.dataDirectory.path,
            "MINZHENG_SEED_DIR": configuration.seedDirectory.path,
            "MINZHENG_NOTIFY_ALLOW_PRIVATE": "1",
            "MINZHENG_LOG_LEVEL": "error",
            // Eight citizens make 600 attempts: the race is for places, not against the attempt limit.
            "MINZHENG_BOOKING_ATTEMPTS": "off",
            "MINZHENG_RATE_LIMIT_CITIZEN": "100000/s",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        ]
        environment["MINZHENG_DATABASE_URL"] = configuration.databaseURL
        environment["MINZHENG_DATABASE_SCHEMA"] = configuration.databaseSchema
        environment["MINZHENG_SECRET_KEY"] = configuration.secretKey
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return ServerProcess(process: process, port: port)
    }

    func waitUntilHealthy() async throws {
        for _ in 0..<300 {
            try #require(process.isRunning, "minzheng serve on port \(port) stopped")
            if let status = try? await TestClient.withClient(host: "127.0.0.1", port: port, operation: { try await $0.get("/healthz").head.status }),
                status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("minzheng serve on port \(port) did not answer /healthz within 30 s")
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Sends `json` and returns the decoded object, expecting `status`.
    func json(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, headers: HTTPFields = [:], expect status: HTTPResponse.Status,
              _ json: String) async throws -> [String: Any] {
        var headers = headers
        headers[.contentType] = "application/json"
        if let token { headers[.authorization] = "Bearer \(token)" }
        let sending = headers
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.execute(.init(path, method: method, headers: sending, body: ByteBuffer(string: json)))
        }
        #expect(response.head.status == status, "\(method) \(path): \(String(decoding: response.data, as: UTF8.self))")
        guard !response.data.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: response.data) as? [String: Any]) ?? [:]
    }

    func token(_ path: String, json: String, headers: HTTPFields = [:]) async throws -> String {
        try #require(try await self.json(.post, path, headers: headers, expect: .created, json)["token"] as? String)
    }

    /// The first open day at least two days ahead.
    func bookableDay() async throws -> String {
        let today = LocalDate.today(at: Date())
        let path = "/v1/marriage-registries/\(BookingWorld.nanjingXuanwu)/availability?service=marriage&from=\(today.adding(days: 2))&to=\(today.adding(days: 29))"
        let response = try await TestClient.withClient(host: "127.0.0.1", port: port) { try await $0.get(path) }
        let days = try JSONDecoder().decode(AvailabilityBody.self, from: response.data).days
        return try #require(days.first { $0.open }).date
    }
}

extension TestClient.Response {
    var data: Data { body.map { Data(buffer: $0) } ?? Data() }
}
