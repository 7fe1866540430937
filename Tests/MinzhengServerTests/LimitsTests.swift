import Foundation
#if canImport(Glibc)
import Glibc
#endif
import HTTPTypes
import HummingbirdTesting
import MinzhengCore
import MinzhengServer
import MinzhengTesting
import Testing

/// Abuse limits: request rates per caller, booking attempts per citizen and ID number, and request shapes.
@Suite struct LimitsTests {
    static let clientKey = HTTPField.Name("X-Client-Key")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    @Test func aCallerOverItsRateGets429WithRetryAfterAndNobodyElseWaits() async throws {
        try await withBookingWorld(live: true, configure: {
            $0.rateLimits.perClient = TokenBuckets.Limit("5/h")!
            $0.rateLimits.perAddress = TokenBuckets.Limit("5/h")!
        }) { world in
            // Limits per hour: on a loaded machine a test's requests may take seconds, and none may come back meanwhile.
            // Anonymous callers, by address (the load balancer on loopback names them in X-Forwarded-For).
            func anonymous(_ address: String) async throws -> WorldResponse {
                try await world.request(.get, "/v1/divisions/32", headers: [Self.forwardedFor: "10.9.9.9, \(address)"])
            }
            for _ in 0..<5 { #expect(try await anonymous("203.0.113.7").status == .ok) }
            let refused = try await anonymous("203.0.113.7")
            #expect(refused.status == .tooManyRequests && refused.problemCode == "rate_limited")
            #expect(refused.headers[.contentType] == "application/problem+json")
            let wait = try #require(refused.headers[.retryAfter].flatMap(Int.init))
            #expect((1...720).contains(wait), "one token comes back every 12 minutes")
            #expect(try await anonymous("203.0.113.8").status == .ok)

            // Apps, by client key; another app is not slowed down.
            let other = try await world.services.identity.createClient(name: "另一个应用").key
            for _ in 0..<5 { #expect(try await world.request(.get, "/v1/divisions/32", headers: [Self.clientKey: world.clientKey]).status == .ok) }
            let app = try await world.request(.get, "/v1/divisions/32", headers: [Self.clientKey: world.clientKey])
            #expect(app.status == .tooManyRequests && app.headers[.retryAfter] != nil)
            #expect(try await world.request(.get, "/v1/divisions/32", headers: [Self.clientKey: other]).status == .ok)
        }
    }

    @Test func bookingAttemptsAreLimitedPerCitizenAndPerIDNumber() async throws {
        try await withBookingWorld(configure: { $0.rateLimits.bookingAttempts = TokenBuckets.Limit("3/h")! }) { world in
            let date = try await world.bookableDay()
            let first = try await world.citizen("first")
            #expect(try await world.book(world.bookingJSON(date: date, couple: 1), token: first).status == .created)
            for _ in 0..<2 {
                #expect(try await world.book(world.bookingJSON(date: date, couple: 1), token: first).problemCode == "active_booking_exists")
            }
            let fourth = try await world.book(world.bookingJSON(date: date, couple: 1), token: first)
            #expect(fourth.status == .tooManyRequests && fourth.problemCode == "too_many_attempts")
            #expect(fourth.headers[.retryAfter].flatMap(Int.init).map { $0 >= 1 } == true)
            // The same citizen with another couple, and the same people through another account: both still limited.
            #expect(try await world.book(world.bookingJSON(date: date, couple: 2), token: first).problemCode == "too_many_attempts")
            let second = try await world.citizen("second")
            #expect(try await world.book(world.bookingJSON(date: date, couple: 1), token: second).problemCode == "too_many_attempts")
            // A refused attempt counts against nobody: the second citizen still has all three of theirs.
            for couple in 3...5 { #expect(try await world.book(world.bookingJSON(date: date, couple: couple), token: second).status == .created) }
            #expect(try await world.book(world.bookingJSON(date: date, couple: 6), token: second).problemCode == "too_many_attempts")
            // And nothing was taken by the refused attempts.
            #expect(try await world.period(date: date).booked == 4)
        }
    }

    @Test func aMethodAPathDoesNotAnswerIs405WithTheOnesItDoes() async throws {
        try await withBookingWorld(live: true) { world in
            let trace = try await world.request(HTTPRequest.Method("TRACE")!, "/healthz")
            #expect(trace.status == .methodNotAllowed && trace.headers[.allow] == "GET, HEAD" && trace.problemCode == "method_not_allowed")
            let put = try await world.request(.put, "/v1/divisions/3201", json: "{}")
            #expect(put.status == .methodNotAllowed && put.headers[.allow] == "GET, HEAD")
            let bookings = try await world.request(.delete, "/v1/marriage-bookings")
            #expect(bookings.status == .methodNotAllowed && bookings.headers[.allow] == "GET, HEAD, POST")
            #expect(try await world.request(.head, "/v1/divisions/3201").status == .ok)
            #expect(try await world.request(HTTPRequest.Method("TRACE")!, "/v1/nothing-here").status == .notFound)
        }
    }

    @Test func aRequestThatArrivesADropAtATimeIsCutOff() async throws {
        try await withBookingWorld(live: true, configure: { $0.requestReadTimeout = 2 }) { world in
            let fd = try LoopbackSocket.connected(to: try #require(world.client.port))
            defer { close(fd) }
            func send(_ text: String) -> Bool { Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0 }
            func closedByServer() -> Bool {
                var byte: UInt8 = 0
                let read = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
                return read == 0 || (read < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            }
            let start = ContinuousClock.now
            #expect(send("POST /v1/staff/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{"))
            // A byte every half second: well inside the 30 s idle timeout, so only the read deadline can end it.
            var cut = false
            while !cut && ContinuousClock.now - start < .seconds(15) {
                try await Task.sleep(for: .milliseconds(500))
                cut = closedByServer() || !send(" ")
            }
            let elapsed = ContinuousClock.now - start
            // Cut at the 2 s deadline (the loose upper bound is for a loaded machine; the idle timeout would take 30 s).
            #expect(cut && elapsed >= .seconds(2) && elapsed < .seconds(12), "cut \(cut) after \(elapsed)")
            // Others are served as ever.
            #expect(try await world.request(.get, "/v1/divisions/32").status == .ok)
        }
    }

    @Test func oversizeAddressesAndHeadersAreRefused() async throws {
        try await withBookingWorld { world in
            let long = try await world.request(.get, "/v1/divisions?q=" + String(repeating: "a", count: 5000))
            #expect(long.status.code == 414 && long.problemCode == "uri_too_long")
            let padded = try await world.request(.get, "/v1/divisions/32", headers: [HTTPField.Name("X-Padding")!: String(repeating: "x", count: 20_000)])
            #expect(padded.status.code == 431 && padded.problemCode == "headers_too_large")
            #expect(try await world.request(.get, "/v1/divisions/32").status == .ok)
        }
    }

    /// PostgreSQL refuses NUL in text with an error that used to come back as a 500; SQLite stored it. Now no
    /// backend sees one: in the body, the path or the query, it is a 400 before any handler runs.
    @Test func nulCharactersAreRefusedBeforeAnyHandler() async throws {
        try await withBookingWorld { world in
            let login = try await world.request(.post, "/v1/staff/sessions", json: #"{"username":"a\u0000","password":"xxxxxxxxxx"}"#)
            #expect(login.status == .badRequest && login.problemCode == "nul_character")
            // An escaped backslash before "u0000" is text, not a NUL: an ordinary failed login.
            let text = try await world.request(.post, "/v1/staff/sessions", json: #"{"username":"a\\u0000","password":"xxxxxxxxxx"}"#)
            #expect(text.status == .unauthorized)
            let citizen = try await world.citizen("nul-1")
            let date = try await world.bookableDay()
            let named = world.bookingJSON(date: date, couple: 61).replacingOccurrences(of: "李四", with: #"\u0000李四"#)
            let booking = try await world.book(named, token: citizen)
            #expect(booking.status == .badRequest && booking.problemCode == "nul_character")
            let mine = try await world.request(.get, "/v1/marriage-bookings", token: citizen).decode(ListPage<BookingBody>.self)
            #expect(mine.items.isEmpty, "nothing was booked")
            #expect(try await world.request(.get, "/v1/divisions/32%00").problemCode == "nul_character")
            #expect(try await world.request(.get, "/v1/divisions?q=%00").problemCode == "nul_character")
            #expect(try await world.request(.get, "/v1/divisions/32").status == .ok)
        }
    }
}
