import Foundation
import GRDB
import MinzhengCore

/// Applications in SQLite. A step is one conditional `UPDATE ... WHERE status = ?` with its event and audit row.
public struct SQLiteApplicationStore: ApplicationStore {
    private let pool: DatabasePool

    public init(_ database: SQLiteDatabase) { pool = database.pool }

    /// The columns `record` reads, in its order; `stored` reads these and then the look-up columns.
    private static let columns = "number, item_code, item_name, division_code, client_id, subject, masked, status, submitted_at, promised_date, timeline"
    private static let storedColumns = columns + ", lookup_hash, failed_lookups, failed_lookups_since"

    /// Lists are newest first; the overdue list is the oldest promise first (the most overdue must not fall off a page).
    /// Each ends with the number, so a page resumes after its last application's (sort value, number).
    private static func order(overdue: Bool) -> String { overdue ? "promised_date, number" : "submitted_at DESC, number DESC" }

    /// The rows after application `?` in that order, compared as a row with its own values. It is looked for within
    /// the list's `scope` only: a cursor naming an application outside the list starts an empty page, and tells nothing.
    private static func after(overdue: Bool, scope: String) -> String {
        let columns = overdue ? "promised_date, number" : "submitted_at, number"
        return "(\(columns)) \(overdue ? ">" : "<") (SELECT \(columns) FROM applications WHERE number = ? AND \(scope))"
    }

    public func insertApplication(_ draft: ApplicationDraft, event: OutboxEvent) async throws {
        try await pool.write { db in
            let record = draft.record, sealed = draft.applicant
            try db.execute(sql: """
                INSERT INTO applications (number, item_code, item_name, division_code, client_id, subject, name_sealed, id_number_sealed,
                    phone_sealed, id_hash, masked, lookup_hash, status, submitted_at, promised_date, timeline, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    record.number, record.itemCode, record.itemName, record.division.rawValue, record.owner.clientID, record.owner.subject,
                    sealed.name, sealed.idNumber, sealed.phone, sealed.idHash, try ApplicationRows.json(record.applicant), draft.lookupHash,
                    record.status.rawValue, record.submittedAt.timeIntervalSince1970, record.promisedDate.description,
                    try ApplicationRows.json(record.steps), record.submittedAt.timeIntervalSince1970,
                ])
            try SQLiteOutbox.append(db, event)
        }
    }

    public func application(number: String) async throws -> StoredApplication? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT \(Self.storedColumns) FROM applications WHERE number = ?
                """, arguments: [number])
            else { return nil }
            return try Self.stored(row)
        }
    }

    public func countLookUp(number: String, at: Date, windowStart: Date) async throws -> StoredApplication? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                UPDATE applications
                SET failed_lookups = CASE WHEN failed_lookups_since < ?1 THEN 1 ELSE failed_lookups + 1 END,
                    failed_lookups_since = CASE WHEN failed_lookups_since < ?1 THEN ?2 ELSE failed_lookups_since END
                WHERE number = ?3
                RETURNING \(Self.storedColumns)
                """, arguments: [windowStart.timeIntervalSince1970, at.timeIntervalSince1970, number])
            else { return nil }
            return try Self.stored(row)
        }
    }

    public func revealApplicant(number: String, audit: AuditRecord) async throws -> (name: Data, idNumber: Data, phone: Data)? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT name_sealed, id_number_sealed, phone_sealed FROM applications WHERE number = ?",
                                             arguments: [number])
            else { return nil }
            try SQLiteAudit.append(db, audit)
            return (name: row[0], idNumber: row[1], phone: row[2])
        }
    }

    public func uncountLookUp(number: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE applications SET failed_lookups = max(failed_lookups - 1, 0),
                    -- Nothing wrong left: the next wrong look-up starts the window; else it stays the first wrong one's.
                    failed_lookups_since = CASE WHEN failed_lookups <= 1 THEN 0 ELSE failed_lookups_since END
                WHERE number = ?
                """, arguments: [number])
        }
    }

    public func applications(owner: BookingOwner, after: String?, limit: Int) async throws -> [ApplicationRecord] {
        try await pool.read { db in
            var sql = "SELECT \(Self.columns) FROM applications WHERE client_id = ? AND subject = ?"
            var arguments: StatementArguments = [owner.clientID, owner.subject]
            if let after {
                sql += " AND " + Self.after(overdue: false, scope: "client_id = ? AND subject = ?")
                arguments += [after, owner.clientID, owner.subject]
            }
            sql += " ORDER BY \(Self.order(overdue: false)) LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.record)
        }
    }

    public func applications(under division: DivisionCode, status: ApplicationStatus?, overdueOn: LocalDate?, after: String?,
                             limit: Int) async throws -> [ApplicationRecord] {
        try await pool.read { db in
            // Codes are digits, and ':' sorts after '9': the range is the division and everything under it (an index range, which LIKE is not).
            var sql = "SELECT \(Self.columns) FROM applications WHERE division_code >= ? AND division_code < ?"
            var arguments: StatementArguments = [division.rawValue, division.rawValue + ":"]
            if let status {
                sql += " AND status = ?"
                arguments += [status.rawValue]
            }
            if let overdueOn {
                sql += " AND status IN ('submitted', 'accepted', 'in_review') AND promised_date < ?"
                arguments += [overdueOn.description]
            }
            if let after {
                sql += " AND " + Self.after(overdue: overdueOn != nil, scope: "division_code >= ? AND division_code < ?")
                arguments += [after, division.rawValue, division.rawValue + ":"]
            }
            sql += " ORDER BY \(Self.order(overdue: overdueOn != nil)) LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.record)
        }
    }

    public func updateApplication(_ updated: ApplicationRecord, expecting: ApplicationStatus, event: OutboxEvent, audit: AuditRecord) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "UPDATE applications SET status = ?, timeline = ?, updated_at = ? WHERE number = ? AND status = ?", arguments: [
                updated.status.rawValue, try ApplicationRows.json(updated.steps), updated.updatedAt.timeIntervalSince1970, updated.number,
                expecting.rawValue,
            ])
            guard db.changesCount == 1 else { return false }
            try SQLiteOutbox.append(db, event)
            try SQLiteAudit.append(db, audit)
            return true
        }
    }

    public func noteOverdue(today: LocalDate, limit: Int, event: @escaping @Sendable (ApplicationRecord) -> OutboxEvent) async throws -> [ApplicationRecord] {
        try await pool.write { db in
            let overdue = try Row.fetchAll(db, sql: """
                UPDATE applications SET overdue_noted = 1
                WHERE number IN (SELECT number FROM applications
                                 WHERE status IN ('submitted', 'accepted', 'in_review') AND promised_date < ? AND overdue_noted = 0
                                 ORDER BY promised_date, number LIMIT ?)
                RETURNING \(Self.columns)
                """, arguments: [today.description, limit]).map(Self.record).sorted { $0.number < $1.number }
            for record in overdue { try SQLiteOutbox.append(db, event(record)) }
            return overdue
        }
    }

    private static func stored(_ row: Row) throws -> StoredApplication {
        StoredApplication(record: try record(row), lookupHash: row["lookup_hash"], failedLookups: row["failed_lookups"],
                          failedLookupsSince: Date(timeIntervalSince1970: row["failed_lookups_since"]))
    }

    private static func record(_ row: Row) throws -> ApplicationRecord {
        try ApplicationRows.record(number: row[0], itemCode: row[1], itemName: row[2], division: row[3], clientID: row[4], subject: row[5],
                                   masked: row[6], status: row[7], submittedAt: row[8], promisedDate: row[9], timeline: row[10])
    }
}
