import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Concurrency claims, proven over real HTTP on loopback with requests that really race.
@Suite struct BookingRaceTests {
    @Test func twoHundredAttemptsOnTenPlacesGiveExactlyTen() async throws {
        try await withBookingWorld(live: true) { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(10, date: date, token: manager).status == .noContent)
            let tokens = try await (0..<8).asyncMap { try await world.citizen("racer-\($0)") }

            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let response = try await world.book(world.bookingJSON(date: date, couple: 1000 + n), token: tokens[n % tokens.count])
                        return (Int(response.status.code), response.problemCode)
                    }
                }
                return try await group.reduce(into: [:]) { counts, result in counts["\(result.0) \(result.1 ?? "")", default: 0] += 1 }
            }
            #expect(statuses == ["201 ": 10, "409 slot_full": 190], "\(statuses)")
            let period = try await world.period(date: date)
            #expect(period.capacity == 10 && period.remaining == 0 && period.booked == 10)
            #expect(try await world.roster(date: date, token: manager).filter { $0.status == "confirmed" }.count == 10)
        }
    }

    @Test func theSameCoupleAtTwoOfficesAtOnceGetsOneBooking() async throws {
        try await withBookingWorld(live: true) { world in
            let date = try await world.bookableDay()
            let token = try await world.citizen("couple")
            let statuses = try await withThrowingTaskGroup(of: String.self) { group in
                for attempt in 0..<20 {
                    let office = attempt % 2 == 0 ? BookingWorld.nanjingXuanwu : BookingWorld.nanjingQinhuai
                    group.addTask {
                        let response = try await world.book(world.bookingJSON(office: office, date: date, couple: 7), token: token)
                        return "\(response.status.code) \(response.problemCode ?? "")"
                    }
                }
                return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(statuses == ["201 ": 1, "409 active_booking_exists": 19], "\(statuses)")
            let booked = try await world.period(office: BookingWorld.nanjingXuanwu, date: date).booked! + world.period(office: BookingWorld.nanjingQinhuai, date: date).booked!
            #expect(booked == 1)
        }
    }

    @Test func cancellationsRacingNewBookingsKeepTheCountRight() async throws {
        try await withBookingWorld(live: true) { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(5, date: date, token: manager).status == .noContent)
            let first = try await world.citizen("first")
            var ids: [String] = []
            for n in 0..<5 {
                let response = try await world.book(world.bookingJSON(date: date, couple: 2000 + n), token: first)
                #expect(response.status == .created)
                ids.append(try response.decode(BookingBody.self).id)
            }
            let second = try await world.citizen("second")
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for id in ids { group.addTask { "cancel \(try await world.request(.post, "/v1/marriage-bookings/\(id)/cancel", token: first).status.code)" } }
                for n in 0..<30 {
                    group.addTask {
                        let response = try await world.book(world.bookingJSON(date: date, couple: 3000 + n), token: second)
                        return "book \(response.status.code) \(response.problemCode ?? "")"
                    }
                }
                return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(outcomes["cancel 200"] == 5, "\(outcomes)")
            #expect(outcomes.keys.allSatisfy { !$0.contains(" 5") }, "\(outcomes)")
            let confirmed = try await world.roster(date: date, token: manager).filter { $0.status == "confirmed" }.count
            let period = try await world.period(date: date)
            #expect(confirmed == (outcomes["book 201 "] ?? 0))
            #expect(confirmed <= 5)
            #expect(period.booked == confirmed && period.remaining == 5 - confirmed)
        }
    }

    @Test func idempotentRetriesMakeOneBooking() async throws {
        try await withBookingWorld(live: true) { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            let token = try await world.citizen("retrier")
            let body = world.bookingJSON(date: date, couple: 42)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let response = try await world.book(body, token: token, key: "retry-key-1")
                        #expect(response.status == .created)
                        return try response.decode(BookingBody.self).id
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let other = try await world.book(world.bookingJSON(date: date, period: "10:00", couple: 42), token: token, key: "retry-key-1")
            #expect(other.status.code == 422 && other.problemCode == "idempotency_key_reused")
            #expect(try await world.roster(date: date, token: manager).count == 1)
            #expect(try await world.period(date: date).booked == 1)
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

@Suite struct IdempotencyTests {
    @Test func aRetryAfterThePeriodFilledStillGetsItsBooking() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(1, date: date, token: manager).status == .noContent)
            let token = try await world.citizen("lucky")
            let body = world.bookingJSON(date: date, couple: 60)
            let first = try await world.book(body, token: token, key: "k-60")
            #expect(first.status == .created)
            // Another couple finds the period full (and the server remembers that it is).
            let other = try await world.book(world.bookingJSON(date: date, couple: 61), token: token)
            #expect(other.problemCode == "slot_full")
            // The first couple's app retries: same key, same body, same booking.
            let retry = try await world.book(body, token: token, key: "k-60")
            #expect(retry.status == .created)
            #expect(try retry.decode(BookingBody.self).id == first.decode(BookingBody.self).id)
        }
    }
}
