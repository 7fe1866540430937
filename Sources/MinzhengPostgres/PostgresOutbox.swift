import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Writes events into the outbox inside the caller's transaction: the change and its event commit together
/// or not at all.
enum PostgresOutbox {
    static func append(_ connection: PostgresConnection, _ event: OutboxEvent, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO outbox_events (type, office_id, client_id, booking_id, division_code, data, occurred_at, due_at)
            VALUES (\(event.type.rawValue), \(event.officeID), \(event.clientID), \(event.bookingID), \(event.divisionCode?.rawValue), \(event.data),
                    \(event.occurredAt.timeIntervalSince1970), \(event.dueAt.timeIntervalSince1970))
            """, logger: logger)
    }

    /// Several events in one statement (a booking's confirmation and its reminder).
    static func append(_ connection: PostgresConnection, _ events: [OutboxEvent], logger: Logger) async throws {
        // Nullable columns travel as text ('' for none): arrays cannot hold NULLs here.
        try await connection.query("""
            INSERT INTO outbox_events (type, office_id, client_id, booking_id, division_code, data, occurred_at, due_at)
            SELECT u.type, NULLIF(u.office_id, '')::bigint, NULLIF(u.client_id, '')::bigint, NULLIF(u.booking_id, ''), NULLIF(u.division_code, ''),
                   u.data, u.occurred_at, u.due_at
            FROM unnest(\(events.map(\.type.rawValue))::text[], \(events.map { $0.officeID.map(String.init) ?? "" })::text[],
                        \(events.map { $0.clientID.map(String.init) ?? "" })::text[], \(events.map { $0.bookingID ?? "" })::text[],
                        \(events.map { $0.divisionCode?.rawValue ?? "" })::text[], \(events.map(\.data))::text[], \(events.map(\.occurredAt.timeIntervalSince1970))::double precision[],
                        \(events.map(\.dueAt.timeIntervalSince1970))::double precision[])
                AS u(type, office_id, client_id, booking_id, division_code, data, occurred_at, due_at)
            """, logger: logger)
    }

    /// A booking that is no longer confirmed (or moved) gets no reminder for its old day, whether or not
    /// the reminder has been fanned out yet. One on the wire now is let be; if it is to be tried again, `claim`
    /// finds its event void and cancels it.
    static func voidReminder(_ connection: PostgresConnection, bookingID: String, logger: Logger) async throws {
        try await connection.query("""
            UPDATE outbox_events SET state = 'void' WHERE booking_id = \(bookingID) AND type = 'booking.reminder' AND state <> 'void'
            """, logger: logger)
        try await connection.query("""
            UPDATE deliveries SET status = 'cancelled', updated_at = \(Date().timeIntervalSince1970)
            WHERE status = 'pending' AND event_id IN (SELECT id FROM outbox_events WHERE booking_id = \(bookingID) AND type = 'booking.reminder')
            """, logger: logger)
    }

    /// Writes `capacity.nearly_full` the first time the day's bookings of the slot's service reach the
    /// policy's share of its places (periods without a slot row yet count with the schedule's capacity).
    static func noteIfNearlyFull(_ connection: PostgresConnection, _ slot: SlotKey, schedule: OfficeSchedule, policy: NotifyPolicy, at: Date,
                                 logger: Logger) async throws {
        var totals: (booked: Int, capacity: Int, slots: Int) = (0, 0, 0)
        for try await (booked, capacity, slots) in try await connection.query("""
            SELECT COALESCE(SUM(booked), 0), COALESCE(SUM(capacity), 0), COUNT(*)
            FROM slots WHERE office_id = \(slot.officeID) AND date = \(slot.date.description) AND service = \(slot.service.rawValue)
            """, logger: logger).decode((Int, Int, Int).self) {
            totals = (booked, capacity, slots)
        }
        let unopened = max(0, schedule.periods.count - totals.slots)
        let capacity = totals.capacity + unopened * schedule.capacity(for: slot.service)
        guard policy.isNearlyFull(booked: totals.booked, capacity: capacity) else { return }
        let key = "capacity.nearly_full:\(slot.officeID):\(slot.date):\(slot.service.rawValue)"
        // A concurrent booking that crossed the line too waits here for this one to commit, then inserts nothing.
        let first = try await connection.query("INSERT INTO outbox_once (key) VALUES (\(key)) ON CONFLICT (key) DO NOTHING RETURNING key",
                                               logger: logger).collect()
        guard !first.isEmpty else { return }
        try await append(connection, .nearlyFull(officeID: slot.officeID, date: slot.date, service: slot.service, booked: totals.booked,
                                                  capacity: capacity, at: at), logger: logger)
    }
}
