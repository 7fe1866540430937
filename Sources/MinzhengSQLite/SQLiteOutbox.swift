import Foundation
import GRDB
import MinzhengCore

/// Writes events into the outbox inside the caller's transaction: the change and its event commit together
/// or not at all.
enum SQLiteOutbox {
    static func append(_ db: Database, _ event: OutboxEvent) throws {
        try db.cachedStatement(sql: """
                INSERT INTO outbox_events (type, office_id, client_id, booking_id, division_code, data, occurred_at, due_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            .execute(arguments: [event.type.rawValue, event.officeID, event.clientID, event.bookingID, event.divisionCode?.rawValue, event.data,
                                 event.occurredAt.timeIntervalSince1970, event.dueAt.timeIntervalSince1970])
    }

    /// A booking that is no longer confirmed (or moved) gets no reminder for its old day, whether or not
    /// the reminder has been fanned out yet. One on the wire now is let be; if it is to be tried again, `claim`
    /// finds its event void and cancels it.
    static func voidReminder(_ db: Database, bookingID: String) throws {
        try db.cachedStatement(sql: """
                UPDATE outbox_events SET state = 'void' WHERE booking_id = ? AND type = 'booking.reminder' AND state <> 'void'
                """).execute(arguments: [bookingID])
        try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'cancelled', updated_at = ?
                WHERE status = 'pending' AND event_id IN (SELECT id FROM outbox_events WHERE booking_id = ? AND type = 'booking.reminder')
                """).execute(arguments: [Date().timeIntervalSince1970, bookingID])
    }

    /// Writes `capacity.nearly_full` the first time the day's bookings of the slot's service reach the
    /// policy's share of its places (periods without a slot row yet count with the schedule's capacity).
    static func noteIfNearlyFull(_ db: Database, _ slot: SlotKey, schedule: OfficeSchedule, policy: NotifyPolicy, at: Date) throws {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: """
                SELECT COALESCE(SUM(booked), 0) AS booked, COALESCE(SUM(capacity), 0) AS capacity, COUNT(*) AS slots
                FROM slots WHERE office_id = ? AND date = ? AND service = ?
                """),
            arguments: [slot.officeID, slot.date.description, slot.service.rawValue])
        else { return }
        let booked: Int = row["booked"]
        let unopened = max(0, schedule.periods.count - (row["slots"] as Int))
        let capacity = (row["capacity"] as Int) + unopened * schedule.capacity(for: slot.service)
        guard policy.isNearlyFull(booked: booked, capacity: capacity) else { return }
        let key = "capacity.nearly_full:\(slot.officeID):\(slot.date):\(slot.service.rawValue)"
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO outbox_once (key) VALUES (?)").execute(arguments: [key])
        guard db.changesCount == 1 else { return }
        try append(db, .nearlyFull(officeID: slot.officeID, date: slot.date, service: slot.service, booked: booked, capacity: capacity, at: at))
    }
}
