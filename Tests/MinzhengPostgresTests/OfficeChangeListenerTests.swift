import Foundation
import Logging
import MinzhengCore
@testable import MinzhengPostgres
import PostgresNIO
import Synchronization
import Testing

/// The listener hears the `slots` trigger's changes in commit order, keeps hearing its own pings, and ends when its
/// connection does (the server then listens again).
@Suite(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.required, "no PostgreSQL server (make test starts one)"))
struct OfficeChangeListenerTests {
    final class Heard: Sendable {
        let changes = Mutex<[OfficeChange]>([])
        let listening = Mutex(false)
    }

    @Test func changesToPlacesAreHeardInCommitOrderAndALostConnectionEndsTheListener() async throws {
        try await PostgresTestServer.withDatabase { database in
            let logger = Logger(label: "test")
            _ = try await database.client.query("INSERT INTO divisions (code, name) VALUES ('32', '江苏省')", logger: logger).collect()
            _ = try await database.client.query("INSERT INTO resource_types (slug, name, position) VALUES ('marriage-registry', '婚姻登记处', 1)",
                                                logger: logger).collect()
            _ = try await database.client.query("""
                INSERT INTO directory_entries (id, type, name, division_code, address, lat, lng, updated_at)
                VALUES (9, 'marriage-registry', '玄武区婚姻登记处', '32', '南京', 32.0, 118.8, 0)
                """, logger: logger).collect()

            let heard = Heard()
            let changes = PostgresOfficeChanges(database, pingEvery: .milliseconds(200), pingWithin: .milliseconds(500))
            let listener = Task {
                try await changes.listen(heard: { change in heard.changes.withLock { $0.append(change) } },
                                         listening: { now in heard.listening.withLock { $0 = now } })
            }
            defer { listener.cancel() }
            for _ in 0..<100 where !heard.listening.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(50)) }
            #expect(heard.listening.withLock { $0 })

            /// The statements in one transaction.
            func run(_ statements: String...) async throws {
                try await database.client.withTransaction(logger: logger) { connection in
                    for sql in statements { _ = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect() }
                }
            }
            let slot = SlotKey(officeID: 9, date: LocalDate(iso: "2026-12-02")!, period: "09:00", service: .marriage)
            try await run("INSERT INTO slots (office_id, date, period, service, capacity, booked) VALUES (9, '2026-12-02', '09:00', 'marriage', 3, 1)")
            try await run("UPDATE slots SET booked = 2 WHERE office_id = 9")          // a booking that leaves a place: nothing
            try await run("UPDATE slots SET booked = 3 WHERE office_id = 9")          // the last place: filled
            try await run("UPDATE slots SET booked = 2 WHERE office_id = 9")          // a cancellation: changed
            try await run("UPDATE slots SET capacity = 4 WHERE office_id = 9")        // more places: changed
            try await run("UPDATE slots SET booked = 4 WHERE office_id = 9", "UPDATE slots SET capacity = 5 WHERE office_id = 9")  // filled, changed
            // A period's first row: with room and nobody booked (staff gave it places), changed; with a booking in it, nothing.
            try await run("INSERT INTO slots (office_id, date, period, service, capacity, booked) VALUES (9, '2026-12-02', '10:00', 'marriage', 5, 0)")
            try await run("INSERT INTO slots (office_id, date, period, service, capacity, booked) VALUES (9, '2026-12-02', '11:00', 'marriage', 5, 1)")
            // A new schedule (periods, default places) is in no period's row: the store says it changed.
            let today = LocalDate(iso: "2026-12-01")!
            try await PostgresBookingStore(database).setOfficeSchedule(
                officeID: 9, .standard, from: today, audit: AuditRecord(staffID: 1, action: "office.schedule", target: "office 9", at: Date()),
                promotion: Promotion(now: Date(), today: today, noShowsSince: today.adding(days: -60), admit: { _, _, _ in }))
            // Several pings' worth of time: the listener keeps hearing its own, so it does not give up.
            try await Task.sleep(for: .milliseconds(1_500))
            let expected: [OfficeChange] = [.filled(slot), .changed(officeID: 9), .changed(officeID: 9), .filled(slot), .changed(officeID: 9),
                                            .changed(officeID: 9), .changed(officeID: 9)]
            #expect(heard.changes.withLock { $0 } == expected)
            #expect(heard.listening.withLock { $0 })

            // The listener's connection is cut: listening ends with an error, and says it no longer hears.
            try await run("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")
            let ended = await listener.result
            #expect(throws: (any Error).self) { try ended.get() }
            #expect(!heard.listening.withLock { $0 })
        }
    }
}
