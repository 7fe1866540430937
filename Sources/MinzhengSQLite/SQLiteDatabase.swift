import Foundation
import GRDB

/// The process's one SQLite database: a GRDB `DatabasePool` (WAL mode: readers never block the writer).
public struct SQLiteDatabase: Sendable {
    public let pool: DatabasePool
    /// The database file.
    public let path: String
    /// The write-ahead log's length as the writer last saw it, for the `WALCheckpointer`.
    let log: WALLength

    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        log = WALLength()
        pool = try DatabasePool(path: path, configuration: Self.configuration(log: log))
        try SQLiteMigrations.migrator.migrate(pool)
    }

    /// Every connection's settings; `log` (the pool's) hears the writer's commits instead of SQLite's own
    /// checkpointing at commit (see `WALLength`).
    static func configuration(log: WALLength?) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Committed bookings must survive a power loss: FULL syncs the WAL on every commit.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Read pages through memory mapping rather than a read() call each, and keep more of them cached.
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
            try db.execute(sql: "PRAGMA cache_size = -16384")
            log?.listen(to: db)
        }
        return configuration
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
