import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MinzhengCore
import MinzhengNotify
import MinzhengServer
import MinzhengTesting
import Testing

/// A booking world whose webhooks may point at loopback receivers, with the waits of the retry schedule and
/// of receivers' throttles shrunk so a test sees a whole delivery history in a second or two.
func withNotifyWorld(live: Bool = false, worker: Bool = true, configure: @escaping (inout ServerConfiguration) -> Void = { _ in },
                     logger: Logger? = nil, now: @escaping @Sendable () -> Date = Date.init,
                     _ body: @escaping @Sendable (BookingWorld, RobotReceiver) async throws -> Void) async throws {
    let receiver = try await RobotReceiver.start()
    defer { receiver.stop() }
    try await withBookingWorld(live: live, logger: logger, configure: { configuration in
        configuration.notifyWorker = worker
        configuration.notifyAllowPrivate = true
        configuration.delivery = NotifyTesting.fastDelivery
        configure(&configuration)
    }, now: now) { world in try await body(world, receiver) }
}

enum NotifyTesting {
    static var fastDelivery: DeliveryWorker.Options {
        var options = DeliveryWorker.Options()
        options.idlePoll = .milliseconds(20)
        options.schedule = RetrySchedule(delays: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1])
        options.receiverWaitScale = 0.001
        // The usual ten seconds: with less, a loaded machine turns a slow reply into a resend, and tests that count
        // receipts exactly fail. The test of a timeout sets its own.
        options.transport.totalTimeoutMilliseconds = 10_000
        options.transport.allowPrivate = true
        return options
    }
}

struct WebhookBody: Decodable {
    let id: Int64
    let channel: String
    let url: String
    let events: [String]
    let secret: String?
}

struct DeliveryBody: Decodable {
    struct Attempt: Decodable { let number: Int; let outcome: String; let http_status: Int?; let reply_code: Int?; let detail: String }
    let id: String
    let webhook_id: Int64
    let event_type: String
    let status: String
    let attempts: [Attempt]
}

extension BookingWorld {
    /// A delivery worker on this world's database, apart from the server's (which tests start with `worker: false`).
    func deliveryWorker(now: @escaping @Sendable () -> Date = Date.init) throws -> DeliveryWorker {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let key = try Data(contentsOf: configuration.dataDirectory.appendingPathComponent("secret.key")).base64Decoded()
        return DeliveryWorker(store: services.storage.notifications, offices: services.lookups, cipher: PersonalDataCipher(masterKey: key),
                              options: NotifyTesting.fastDelivery, logger: logger, now: now)
    }

    func addWebhook(_ channel: String, url: String, secret: String? = nil, events: [String], scope: String = "", token: String) async throws -> WebhookBody {
        let secretField = secret.map { #","secret":"\#($0)""# } ?? ""
        let events = events.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await request(.post, "/v1/staff/webhooks", token: token,
                                         json: #"{"channel":"\#(channel)","url":"\#(url)","events":[\#(events)]\#(secretField)\#(scope)}"#)
        #expect(response.status == .created, "\(String(buffer: response.body))")
        return try response.decode()
    }

    func setClientWebhook(url: String, events: [String]) async throws -> WebhookBody {
        let events = events.map { "\"\($0)\"" }.joined(separator: ",")
        let response = try await request(.put, "/v1/client-webhook", headers: [HTTPField.Name("X-Client-Key")!: clientKey],
                                         json: #"{"url":"\#(url)","events":[\#(events)]}"#)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.decode()
    }

    func deliveries(_ query: String = "", token: String) async throws -> [DeliveryBody] {
        let response = try await request(.get, "/v1/staff/deliveries\(query)", token: token)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        struct List: Decodable { let items: [DeliveryBody] }
        return try response.decode(List.self).items
    }

    /// Books `count` couples (numbered from `first`) on `date`, spread over the periods, and answers the bookings.
    func bookMany(_ count: Int, first: Int, date: String, token: String) async throws -> [BookingBody] {
        var made: [BookingBody] = []
        let periods = ["09:00", "10:00", "11:00", "14:00", "15:00", "16:00"]
        for n in 0..<count {
            let response = try await book(bookingJSON(date: date, period: periods[n % periods.count], couple: first + n), token: token)
            #expect(response.status == .created, "\(String(buffer: response.body))")
            made.append(try response.decode())
        }
        return made
    }
}
