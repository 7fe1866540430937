import Foundation
import GRDB

/// The process's one SQLite database: a GRDB `DatabasePool` (WAL mode: readers never block the writer).
public struct SQLiteDatabase: Sendable {
    public let pool: DatabasePool
    /// The database file.
    let path: String
    /// The pages the writer has written to the write-ahead log, for the `WALCheckpointer`.
    let walProgress: WALProgress

    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    public init(path: String) throws {
        self.path = path
        walProgress = WALProgress()
        pool = try DatabasePool(path: path, configuration: Self.configuration(walProgress: walProgress))
        try SQLiteMigrations.migrator.migrate(pool)
    }

    /// Every connection's settings; `walProgress` (the pool's) hears the writer's commits, which no longer copy
    /// the log into the database file (see `WALCheckpointer`).
    static func configuration(walProgress: WALProgress?) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Committed bookings must survive a power loss: FULL syncs the WAL on every commit (and the database
            // file after each checkpoint, before the log's pages can be reused).
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Read pages through memory mapping rather than a read() call each, and keep more of them cached.
            try db.execute(sql: "PRAGMA mmap_size = 268435456")
            try db.execute(sql: "PRAGMA cache_size = -16384")
            walProgress?.listen(to: db)
        }
        return configuration
    }

    /// Copies everything in the write-ahead log into the database file and empties the log, so that the file
    /// alone holds the data (for a copy of it). Fails busy if a `WALCheckpointer` is copying at that moment: call
    /// it where none runs (the test template opens the storage alone).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// The journal mode SQLite reports (`wal` for a pool).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
