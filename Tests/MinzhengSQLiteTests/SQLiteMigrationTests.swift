import Foundation
import GRDB
@testable import MinzhengSQLite
import MinzhengTesting
import Testing

/// Migration 0011: the outbox's and the deliveries' state checks, rewritten so that SQLite no longer builds a
/// temporary b-tree for every row the delivery worker writes.
@Suite struct SQLiteStateCheckMigrationTests {
    /// What is written for every delivery (the event marked, the delivery inserted, then marked delivered), and
    /// a booking's outbox insert, as the stores write them but for how the fan-out picks its events.
    static let hotWrites = [
        "INSERT INTO outbox_events (type, office_id, client_id, booking_id, division_code, data, occurred_at, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        // The fan-out picks its events with a subquery, whose own temporary table is built once per statement.
        "UPDATE outbox_events SET state = 'fanned' WHERE id = ?",
        """
        INSERT OR IGNORE INTO deliveries (id, event_id, subscription_id, status, attempts, next_attempt_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
        """
        UPDATE deliveries SET status = 'delivered', updated_at = ?, first_http_status = ?, first_reply_code = ?, first_milliseconds = ?
        WHERE id = ? AND status = 'sending' AND attempts = 1
        """,
    ]

    @Test func theWorkersWritesBuildNoTemporaryTable() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("minzheng.sqlite").path)
        // On the writer's connection: a read-only one compiles writes without their checks.
        try await database.pool.write { db in
            for sql in Self.hotWrites {
                let unbound = StatementArguments(Array(repeating: DatabaseValue.null, count: sql.filter { $0 == "?" }.count))
                let opcodes = try Row.fetchAll(db, sql: "EXPLAIN " + sql, arguments: unbound).map { $0["opcode"] as String }
                #expect(!opcodes.isEmpty)
                #expect(!opcodes.contains("OpenEphemeral"), "\(sql)")
            }
        }
    }

    @Test func unknownStatesAreStillRefused() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("minzheng.sqlite").path)
        try await database.pool.write { db in
            try Self.oneOfEach(db)
            for sql in ["UPDATE outbox_events SET state = 'sent' WHERE id = 1", "UPDATE deliveries SET status = 'lost' WHERE id = 'msg_delivered'"] {
                #expect(throws: DatabaseError.self, "\(sql)") { try db.execute(sql: sql) }
            }
            #expect(try String.fetchAll(db, sql: "SELECT state FROM outbox_events ORDER BY id") == ["pending", "fanned", "void"])
        }
    }

    /// Voiding a cancelled booking's reminder finds it by index in any state (0012): before, the index held
    /// pending reminders only, and finding a fanned-out one to stop its retries read the whole outbox.
    @Test func aBookingsRemindersAreFoundByIndexInAnyState() throws {
        let queue = try DatabaseQueue()
        try SQLiteMigrations.migrator.migrate(queue)
        try queue.read { db in
            let plan = try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT id FROM outbox_events WHERE booking_id = 'b1' AND type = 'booking.reminder'
                """).map { $0["detail"] as String }
            #expect(plan.contains { $0.contains("INDEX outbox_events_reminders") }, "\(plan)")  // USING (COVERING) INDEX
        }
    }

    /// A database written before 0011 keeps every row, index and reference through the rebuild.
    @Test func rowsAndIndexesSurviveTheRebuild() throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try DatabaseQueue(path: directory.appendingPathComponent("minzheng.sqlite").path)
        try SQLiteMigrations.migrator.migrate(queue, upTo: "0010 service catalogue, applications")
        let tables = ["outbox_events", "deliveries", "delivery_attempts"]
        func contents(_ db: Database) throws -> [[Row]] {
            try tables.map { try Row.fetchAll(db, sql: "SELECT * FROM \($0) ORDER BY 1, 2") }
        }
        // Everything about the two tables but their checks: columns (types, NOT NULL, defaults, keys), references,
        // indexes (with their WHERE clauses) and WITHOUT ROWID.
        func shape(_ db: Database) throws -> [[Row]] {
            try ["outbox_events", "deliveries"].flatMap { table in
                [try Row.fetchAll(db, sql: "SELECT * FROM pragma_table_xinfo(?)", arguments: [table]),
                 try Row.fetchAll(db, sql: "SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq", arguments: [table]),
                 try Row.fetchAll(db, sql: "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) ORDER BY name", arguments: [table]),
                 try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? ORDER BY name", arguments: [table]),
                 try Row.fetchAll(db, sql: "SELECT wr FROM pragma_table_list WHERE name = ?", arguments: [table])]
            }
        }
        let (before, shapeBefore) = try queue.write { db in
            try Self.oneOfEach(db)
            return (try contents(db), try shape(db))
        }
        #expect(before.map(\.count) == [3, 5, 1])

        try SQLiteMigrations.migrator.migrate(queue, upTo: "0011 state checks without a temporary table per row")
        try queue.read { db in
            #expect(try contents(db) == before)
            #expect(try shape(db) == shapeBefore)
            let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'index' AND name NOT LIKE 'sqlite_%' AND tbl_name IN ('outbox_events', 'deliveries') ORDER BY name")
            #expect(indexes == ["deliveries_due", "deliveries_subscription", "outbox_events_due", "outbox_events_reminders"])
            #expect(try String.fetchAll(db, sql: "SELECT sql FROM sqlite_schema WHERE name IN ('outbox_events', 'deliveries')").allSatisfy { !$0.contains(" IN (") })
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
        // The references still hold, into and out of the rebuilt tables.
        try queue.write { db in
            func refused(_ sql: String) -> Bool {
                do { try db.execute(sql: sql) } catch let error as DatabaseError { return error.resultCode == .SQLITE_CONSTRAINT } catch { return false }
                return false
            }
            let attempt = "INSERT INTO delivery_attempts (delivery_id, number, at, outcome, detail, milliseconds) VALUES (?, 2, 0, 'retry', '', 0)"
            #expect(refused(attempt.replacingOccurrences(of: "?", with: "'msg_none'")))
            #expect(!refused(attempt.replacingOccurrences(of: "?", with: "'msg_dead'")))
            #expect(refused("""
                INSERT INTO deliveries (id, event_id, subscription_id, status, next_attempt_at, created_at, updated_at)
                VALUES ('msg_orphan', 99, 1, 'pending', 0, 0, 0)
                """))
        }
    }

    /// Four subscriptions, an event in each state, a delivery in each status and one attempt.
    static func oneOfEach(_ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO webhook_subscriptions (id, channel, url_sealed, url_redacted, events, division_code, created_at)
            VALUES (1, 'wecom', x'00', 'https://qyapi.weixin.qq.com/…', 'booking.confirmed', '3201', 0),
                   (2, 'feishu', x'00', 'https://open.feishu.cn/…', 'booking.confirmed', '3201', 0),
                   (3, 'dingtalk', x'00', 'https://oapi.dingtalk.com/…', 'booking.confirmed', '3201', 0),
                   (4, 'webhook', x'00', 'https://app.example.cn/…', 'booking.confirmed', '3201', 0);
            INSERT INTO outbox_events (id, type, office_id, booking_id, data, occurred_at, due_at, state)
            VALUES (1, 'booking.confirmed', 9, 'b1', '{}', 1, 1, 'pending'),
                   (2, 'booking.confirmed', 9, 'b2', '{}', 2, 2, 'fanned'),
                   (3, 'booking.reminder', 9, 'b3', '{}', 3, 3, 'void');
            """)
        // One delivery per (event, subscription).
        for (event, subscription, status) in [(1, 1, "pending"), (2, 1, "sending"), (2, 2, "delivered"), (2, 3, "dead"), (2, 4, "cancelled")] {
            let delivered = status == "delivered"
            try db.execute(sql: """
                INSERT INTO deliveries (id, event_id, subscription_id, status, attempts, failures, next_attempt_at, created_at, updated_at,
                                        first_http_status, first_reply_code, first_milliseconds)
                VALUES (?, ?, ?, ?, 1, 0, 5, 4, 6, ?, ?, ?)
                """, arguments: ["msg_\(status)", event, subscription, status, delivered ? 200 : nil, delivered ? 0 : nil, delivered ? 12 : nil])
        }
        try db.execute(sql: """
            INSERT INTO delivery_attempts (delivery_id, number, at, outcome, http_status, reply_code, detail, milliseconds)
            VALUES ('msg_dead', 1, 7, 'dead', 400, 93000, 'invalid webhook url', 30)
            """)
    }
}
