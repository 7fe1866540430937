import Foundation
import HTTPTypes
import Logging
import MinzhengCore
import MinzhengTesting
import Synchronization
import Testing

/// Citizens' ID numbers and phone numbers never leave the service unmasked: not in any response (but the audited
/// reveal), not in the server's log at debug level, not in any webhook. A whole scenario runs, and everything
/// it produced is searched for the numbers it used and for anything shaped like one.
@Suite struct PrivacyTests {
    @Test func noUnmaskedNumberInAnyResponseLogLineOrWebhook() async throws {
        let log = LogCapture()
        var logger = Logger(label: "test") { _ in CapturingLogHandler(capture: log) }
        logger.logLevel = .debug
        let seen = Mutex<[String]>([])
        let (man, woman) = TestIDs.couple(4242), (otherMan, otherWoman) = TestIDs.couple(4243)
        let phones = ["13800138000", "13900139000"]
        let revealed = Mutex<String>("")

        try await withNotifyWorld(live: true, logger: logger) { world, receiver in
            @Sendable func call(_ method: HTTPRequest.Method, _ path: String, token: String? = nil, headers: HTTPFields = [:], json: String? = nil) async throws -> WorldResponse {
                var headers = headers
                if method == .post { headers[HTTPField.Name("Idempotency-Key")!] = UUID().uuidString }
                let response = try await world.request(method, path, token: token, headers: headers, json: json)
                seen.withLock { $0.append("\(method) \(path) \(response.status.code)\n\(response.headers)\n\(String(buffer: response.body))") }
                return response
            }
            let manager = try await world.staff("nanjing-manager")
            _ = try await world.addWebhook("wecom", url: receiver.url("wecom", "wc", query: "?key=k"), events: EventType.allCases.map(\.rawValue), token: manager)
            let app = try await world.setClientWebhook(url: receiver.url("hook", "app"), events: ["booking.confirmed", "booking.cancelled", "booking.rescheduled"])
            receiver.setSecret("app", try #require(app.secret))

            let token = try await world.citizen("privacy")
            let date = try await world.bookableDay()
            let booked = try await call(.post, "/v1/marriage-bookings", token: token, json: world.bookingJSON(date: date, couple: 4242))
            #expect(booked.status == .created)
            let booking = try booked.decode(BookingBody.self)
            _ = try await call(.get, "/v1/marriage-bookings", token: token)
            _ = try await call(.get, "/v1/marriage-bookings/\(booking.id)", token: token)
            // Refusals that concern the same people: a second booking, and a wrong check character.
            #expect(try await call(.post, "/v1/marriage-bookings", token: token, json: world.bookingJSON(date: date, couple: 4242)).status == .conflict)
            let wrong = world.bookingJSON(date: date, couple: 4243).replacingOccurrences(of: otherMan, with: String(otherMan.dropLast()) + (otherMan.last == "1" ? "2" : "1"))
            #expect(try await call(.post, "/v1/marriage-bookings", token: token, json: wrong).status.code == 422)
            _ = try await call(.post, "/v1/marriage-bookings/\(booking.id)/reschedule", token: token, json: #"{"date":"\#(date)","period":"10:00"}"#)
            _ = try await call(.get, "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/roster?date=\(date)", token: manager)
            _ = try await call(.post, "/v1/marriage-waitlist", token: token, json: world.bookingJSON(date: date, couple: 4243))
            _ = try await call(.get, "/v1/marriage-waitlist", token: token)
            _ = try await call(.post, "/v1/marriage-bookings/\(booking.id)/cancel", token: token)
            _ = try await call(.post, "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/closures", token: manager,
                               json: #"{"date":"\#(date)","reason":"检修"}"#)

            // The reveal: staff of the division, with a reason, audited; another city's staff get 404.
            let reveal = try await world.request(.post, "/v1/staff/marriage-bookings/\(booking.code)/reveal", token: manager, json: #"{"reason":"核对证件"}"#)
            #expect(reveal.status == .ok && reveal.headers[.cacheControl] == "no-store")
            revealed.withLock { $0 = String(buffer: reveal.body) }
            let stranger = try await world.request(.post, "/v1/staff/marriage-bookings/\(booking.code)/reveal", token: try await world.staff("wuxi-manager"),
                                                   json: #"{"reason":"核对证件"}"#)
            #expect(stranger.status == .notFound)
            #expect(try await call(.post, "/v1/staff/marriage-bookings/\(booking.code)/reveal", token: manager, json: #"{"reason":""}"#).status == .badRequest)
            // A reason with a control character (NUL, which PostgreSQL's text refuses) is a 400, not a 500 or a stored NUL.
            #expect(try await call(.post, "/v1/staff/marriage-bookings/\(booking.code)/reveal", token: manager,
                                   json: #"{"reason":"核对\u0000证件"}"#).status == .badRequest)
            #expect(try await call(.post, "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/closures", token: manager,
                                   json: #"{"date":"\#(date)","reason":"检\u0000修"}"#).status == .badRequest)
            let audit = try await world.services.storage.audit.auditTrail().filter { $0.action == "booking.reveal" }
            #expect(audit.count == 1 && audit.first?.target == "booking:\(booking.id)" && audit.first?.after?.contains("核对证件") == true)

            // Every event reached its webhooks before the scan.
            let delivered: @Sendable ([RobotReceiver.Receipt]) -> Bool = { receipts in
                receipts.contains { $0.robot == "app" && $0.text.contains("booking.cancelled") } && receipts.contains { $0.robot == "wc" && $0.text.contains("检修") }
            }
            #expect(delivered(try await receiver.wait(seconds: 20, until: delivered)))
            _ = try await call(.get, "/v1/staff/deliveries", token: manager)
            seen.withLock { $0 += receiver.receipts.map { "webhook \($0.robot)\n\($0.text)" } }
        }

        // The reveal shows the numbers (so the scan below would find them if they leaked anywhere else).
        #expect(revealed.withLock { $0.contains(man) && $0.contains(woman) })
        #expect(Self.unmasked(in: revealed.withLock { $0 }) == [man, woman], "the scan finds numbers where there are some")
        let everything = seen.withLock { $0 } + log.lines
        #expect(everything.count > 20 && log.lines.count > 10)
        for text in everything {
            for secret in [man, woman, otherMan, otherWoman] + phones {
                #expect(!text.contains(secret), "\(secret) in: \(text.prefix(300))")
            }
            #expect(Self.unmasked(in: text).isEmpty, "\(Self.unmasked(in: text)) in: \(text.prefix(300))")
        }
    }

    /// Anything shaped like an ID number (17 digits and a check character) or a mobile number, not masked.
    static func unmasked(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: #"(?<![0-9A-Za-z])([1-9][0-9]{16}[0-9Xx]|1[3-9][0-9]{9})(?![0-9A-Za-z])"#)
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }
}

/// Every log line a logger writes (message and metadata), kept for the test to search.
final class LogCapture: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        capture.append("\(event.level) \(event.message) \(all.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")) \(event.error.map { "\($0)" } ?? "")")
    }
}
