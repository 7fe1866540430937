import Foundation
import GRDB

/// The process's one SQLite database: a GRDB `DatabasePool` (WAL mode: readers never block the writer).
public struct SQLiteDatabase: Sendable {
    public let pool: DatabasePool

    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Committed bookings must survive a power loss: FULL syncs the WAL on every commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Read pages through memory mapping rather than a read() call each, and keep more of them cached.
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
            try db.execute(sql: "PRAGMA cache_size = -16384")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try SQLiteMigrations.migrator.migrate(pool)
    }

    /// Copies everything in the write-ahead log into the database file and empties the log, so that the file
    /// alone holds the data (for a copy of it).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// The journal mode SQLite reports (`wal` for a pool).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
