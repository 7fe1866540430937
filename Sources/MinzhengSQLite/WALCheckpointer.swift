import GRDB
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log into the database file from a connection of its own, so that no commit has to.
///
/// Left to itself, SQLite has the commit that brings the log to 1,000 pages copy them into the database file,
/// and sync it, before that commit returns; GRDB's writer, and every booking queued behind it, waits. Here the
/// commit only notes the log's length (`WALLength`), and this copies the same 1,000 pages a moment later while
/// the writer goes on: a passive checkpoint never waits for readers or the writer, nor makes them wait.
public final class WALCheckpointer: Sendable {
    /// SQLite's own threshold: the same work as before, off the writer.
    public static let pages = 1_000

    private let connection: DatabaseQueue
    private let log: WALLength
    /// The log's length when this last copied it: nothing new to copy until it changes.
    private let copiedAt = Mutex<Int>(0)

    public init(_ database: SQLiteDatabase) throws {
        connection = try DatabaseQueue(path: database.path, configuration: SQLiteDatabase.configuration(log: nil))
        log = database.log
    }

    /// Copies the log when it has reached `pages` since it was last emptied and grown since it was last copied
    /// (a log that readers keep from being reused grows on). Nil when it was not due; else the pages in the
    /// log and how many of them are in the database file now.
    @discardableResult
    public func checkpointIfDue() async throws -> Pages? {
        let length = log.pages.withLock { $0 }
        guard length >= Self.pages, copiedAt.withLock({ copied in defer { copied = length }; return copied != length }) else { return nil }
        return try await checkpoint()
    }

    /// Copies what it can now. Another process's checkpointer at work at the same moment makes it copy nothing.
    @discardableResult
    public func checkpoint() async throws -> Pages {
        try await connection.writeWithoutTransaction { db in
            do {
                let (log, copied) = try db.checkpoint(.passive)
                return Pages(inLog: log, copied: copied)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                return Pages(inLog: 0, copied: 0)
            }
        }
    }

    /// What a checkpoint found: the pages in the log, and how many of them are in the database file after it.
    public struct Pages: Sendable, Equatable {
        public let inLog: Int
        public let copied: Int
    }
}

/// The write-ahead log's length in pages after the writer's last commit, told by SQLite's commit hook. The
/// hook replaces SQLite's checkpoint at commit, except as a last resort at `lastResortPages`: where no
/// `WALCheckpointer` runs (the admin commands, tests) or it fell far behind, a commit still bounds the log.
final class WALLength: Sendable {
    static let lastResortPages: Int32 = 10_000
    let pages = Mutex<Int>(0)

    func listen(to db: Database) {
        // Retained for ever: the pool's connections, which call the hook, may outlive the SQLiteDatabase value.
        let context = Unmanaged.passRetained(self).toOpaque()
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, schema, pages in
            Unmanaged<WALLength>.fromOpaque(context!).takeUnretainedValue().pages.withLock { $0 = Int(pages) }
            if pages >= WALLength.lastResortPages { sqlite3_wal_checkpoint(connection, schema) }
            return SQLITE_OK
        }, context)
    }
}
