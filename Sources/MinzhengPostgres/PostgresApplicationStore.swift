import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Applications in PostgreSQL: the same contract as `SQLiteApplicationStore`. A step is one conditional
/// `UPDATE ... WHERE status = expected`; the overdue sweep claims its rows `FOR UPDATE SKIP LOCKED`, so several
/// instances sweeping at once report each application once.
public struct PostgresApplicationStore: ApplicationStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    /// The columns `record` reads, in its order; `stored` reads these and then the look-up columns.
    private static let columns = "number, item_code, item_name, division_code, client_id, subject, masked, status, submitted_at, promised_date, timeline"
    private static let storedColumns = columns + ", lookup_hash, failed_lookups, failed_lookups_since"

    /// Lists are newest first; the overdue list is the oldest promise first (the most overdue must not fall off a page).
    private static func order(overdue: Bool) -> String { overdue ? "promised_date, number" : "submitted_at DESC, number DESC" }

    /// A page resumes after its cursor's application: these columns, compared as a row with that application's own.
    /// It is looked for within the list only: a cursor naming an application outside it starts an empty page.
    private static func resume(overdue: Bool) -> (columns: String, comparison: String) {
        overdue ? ("promised_date, number", ">") : ("submitted_at, number", "<")
    }

    private typealias Columns = (String, String, String, String, Int64, String, String, String, Double, String, String)

    public func insertApplication(_ draft: ApplicationDraft, event: OutboxEvent) async throws {
        let record = draft.record, sealed = draft.applicant
        let masked = try ApplicationRows.json(record.applicant), timeline = try ApplicationRows.json(record.steps)
        try await client.transaction(logger: logger) { connection in
            try await connection.query("""
                INSERT INTO applications (number, item_code, item_name, division_code, client_id, subject, name_sealed, id_number_sealed,
                    phone_sealed, id_hash, masked, lookup_hash, status, submitted_at, promised_date, timeline, updated_at)
                VALUES (\(record.number), \(record.itemCode), \(record.itemName), \(record.division.rawValue), \(record.owner.clientID),
                        \(record.owner.subject), \(sealed.name), \(sealed.idNumber), \(sealed.phone), \(sealed.idHash), \(masked),
                        \(draft.lookupHash), \(record.status.rawValue), \(record.submittedAt.timeIntervalSince1970),
                        \(record.promisedDate.description), \(timeline), \(record.submittedAt.timeIntervalSince1970))
                """, logger: logger)
            try await PostgresOutbox.append(connection, event, logger: logger)
        }
    }

    public func application(number: String) async throws -> StoredApplication? {
        try await stored(client.query("""
            SELECT \(unescaped: Self.storedColumns) FROM applications WHERE number = \(number)
            """, logger: logger))
    }

    public func countLookUp(number: String, at: Date, windowStart: Date) async throws -> StoredApplication? {
        let start = windowStart.timeIntervalSince1970
        return try await stored(client.query("""
            UPDATE applications
            SET failed_lookups = CASE WHEN failed_lookups_since < \(start) THEN 1 ELSE failed_lookups + 1 END,
                failed_lookups_since = CASE WHEN failed_lookups_since < \(start) THEN \(at.timeIntervalSince1970) ELSE failed_lookups_since END
            WHERE number = \(number)
            RETURNING \(unescaped: Self.storedColumns)
            """, logger: logger))
    }

    public func revealApplicant(number: String, audit: AuditRecord) async throws -> (name: Data, idNumber: Data, phone: Data)? {
        try await client.transaction(logger: logger) { connection in
            var sealed: (name: Data, idNumber: Data, phone: Data)?
            for try await (name, id, phone) in try await connection.query(
                "SELECT name_sealed, id_number_sealed, phone_sealed FROM applications WHERE number = \(number)", logger: logger
            ).decode((Data, Data, Data).self) {
                sealed = (name, id, phone)
            }
            guard let sealed else { return nil }
            try await PostgresAudit.append(connection, audit, logger: logger)
            return sealed
        }
    }

    public func uncountLookUp(number: String) async throws {
        try await client.query("""
            UPDATE applications SET failed_lookups = GREATEST(failed_lookups - 1, 0),
                -- Nothing wrong left: the next wrong look-up starts the window; else it stays the first wrong one's.
                failed_lookups_since = CASE WHEN failed_lookups <= 1 THEN 0 ELSE failed_lookups_since END
            WHERE number = \(number)
            """, logger: logger)
    }

    private func stored(_ rows: PostgresRowSequence) async throws -> StoredApplication? {
        for try await row in rows.decode((String, String, String, String, Int64, String, String, String, Double, String, String, String, Int, Double).self) {
            let record = try ApplicationRows.record(number: row.0, itemCode: row.1, itemName: row.2, division: row.3, clientID: row.4,
                                                    subject: row.5, masked: row.6, status: row.7, submittedAt: row.8, promisedDate: row.9,
                                                    timeline: row.10)
            return StoredApplication(record: record, lookupHash: row.11, failedLookups: row.12,
                                     failedLookupsSince: Date(timeIntervalSince1970: row.13))
        }
        return nil
    }

    // NULL parameters switch their condition off.
    public func applications(owner: BookingOwner, after: String?, limit: Int) async throws -> [ApplicationRecord] {
        let resume = Self.resume(overdue: false)
        return try await records(client.query("""
            SELECT \(unescaped: Self.columns) FROM applications WHERE client_id = \(owner.clientID) AND subject = \(owner.subject)
              AND (\(after)::text IS NULL
                   OR (\(unescaped: resume.columns)) \(unescaped: resume.comparison) (SELECT \(unescaped: resume.columns) FROM applications
                                                   WHERE number = \(after) AND client_id = \(owner.clientID) AND subject = \(owner.subject)))
            ORDER BY \(unescaped: Self.order(overdue: false)) LIMIT \(limit)
            """, logger: logger))
    }

    public func applications(under division: DivisionCode, status: ApplicationStatus?, overdueOn: LocalDate?, after: String?,
                             limit: Int) async throws -> [ApplicationRecord] {
        let overdue = overdueOn != nil, resume = Self.resume(overdue: overdue)
        return try await records(client.query("""
            SELECT \(unescaped: Self.columns) FROM applications
            WHERE division_code LIKE \(division.rawValue + "%")
              AND (\(status?.rawValue)::text IS NULL OR status = \(status?.rawValue))
              AND (\(overdueOn?.description)::text IS NULL
                   OR (status IN ('submitted', 'accepted', 'in_review') AND promised_date < \(overdueOn?.description)))
              AND (\(after)::text IS NULL
                   OR (\(unescaped: resume.columns)) \(unescaped: resume.comparison) (SELECT \(unescaped: resume.columns) FROM applications
                                                   WHERE number = \(after) AND division_code LIKE \(division.rawValue + "%")))
            ORDER BY \(unescaped: Self.order(overdue: overdue)) LIMIT \(limit)
            """, logger: logger))
    }

    public func updateApplication(_ updated: ApplicationRecord, expecting: ApplicationStatus, event: OutboxEvent, audit: AuditRecord) async throws -> Bool {
        let timeline = try ApplicationRows.json(updated.steps)
        return try await client.transaction(logger: logger) { connection in
            var changed = false
            for try await _ in try await connection.query("""
                UPDATE applications SET status = \(updated.status.rawValue), timeline = \(timeline), updated_at = \(updated.updatedAt.timeIntervalSince1970)
                WHERE number = \(updated.number) AND status = \(expecting.rawValue) RETURNING 1
                """, logger: logger).decode(Int.self) {
                changed = true
            }
            guard changed else { return false }
            try await PostgresOutbox.append(connection, event, logger: logger)
            try await PostgresAudit.append(connection, audit, logger: logger)
            return true
        }
    }

    public func noteOverdue(today: LocalDate, limit: Int, event: @escaping @Sendable (ApplicationRecord) -> OutboxEvent) async throws -> [ApplicationRecord] {
        try await client.transaction(logger: logger) { connection in
            let overdue = try await records(connection.query("""
                UPDATE applications SET overdue_noted = 1
                WHERE number IN (SELECT number FROM applications
                                 WHERE status IN ('submitted', 'accepted', 'in_review') AND promised_date < \(today.description) AND overdue_noted = 0
                                 ORDER BY promised_date, number LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                RETURNING \(unescaped: Self.columns)
                """, logger: logger)).sorted { $0.number < $1.number }
            for record in overdue { try await PostgresOutbox.append(connection, event(record), logger: logger) }
            return overdue
        }
    }

    private func records(_ rows: PostgresRowSequence) async throws -> [ApplicationRecord] {
        var records: [ApplicationRecord] = []
        for try await row in rows.decode(Columns.self) {
            records.append(try ApplicationRows.record(number: row.0, itemCode: row.1, itemName: row.2, division: row.3, clientID: row.4,
                                                      subject: row.5, masked: row.6, status: row.7, submittedAt: row.8, promisedDate: row.9,
                                                      timeline: row.10))
        }
        return records
    }
}
