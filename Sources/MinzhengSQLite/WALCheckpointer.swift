import GRDB
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log into the database file from a connection of its own, so that commits seldom have to.
///
/// Left to itself, SQLite has the commit that brings the log to 1,000 pages copy them into the database file,
/// and sync it, before that commit returns; GRDB's writer, and every booking queued behind it, waits. Here the
/// commit only counts the pages it wrote (`WALProgress`), and this copies them once 1,000 more are waiting. A
/// passive checkpoint takes no writer's lock: commits go on while it copies (its sync of the database file still
/// shares the disk with theirs). Its connection keeps `synchronous = FULL`, which makes a copy durable before the
/// log's pages can be reused.
public final class WALCheckpointer: Sendable {
    /// SQLite's own threshold: copying as often as before, only not in a commit.
    public static let dueAfterPages = 1_000

    private let connection: DatabaseQueue
    private let progress: WALProgress
    /// `progress.pagesWritten` as it was when the last copy began: what was written since may not be in it.
    private let writtenAtLastCopy = Mutex<Int>(0)

    public init(_ database: SQLiteDatabase) throws {
        connection = try DatabaseQueue(path: database.path, configuration: SQLiteDatabase.configuration(walProgress: nil))
        progress = database.walProgress
    }

    /// Copies the log once `dueAfterPages` pages were written to it since the last copy. Nil when it was not
    /// due, or another checkpoint was at work (then it is tried again next time).
    @discardableResult
    public func checkpointIfDue() async throws -> Pages? {
        let written = progress.pagesWritten
        guard written - writtenAtLastCopy.withLock({ $0 }) >= Self.dueAfterPages, let pages = try await checkpoint() else { return nil }
        writtenAtLastCopy.withLock { $0 = written }
        return pages
    }

    /// Copies what it can now. Nil when another connection was checkpointing: SQLite then answers busy at once.
    @discardableResult
    public func checkpoint() async throws -> Pages? {
        try await connection.writeWithoutTransaction { db in
            do {
                let (inLog, copied) = try db.checkpoint(.passive)
                return Pages(inLog: inLog, copied: copied)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                return nil
            }
        }
    }

    /// The log after a checkpoint: its pages, and how many of them are now in the database file (by this copy
    /// or an earlier one).
    public struct Pages: Sendable, Equatable {
        public let inLog: Int
        public let copied: Int
    }
}

/// The pages the writer has written to the log so far, counted by SQLite's commit hook from the log's length
/// after each commit (a shorter log than last time: it started again from the beginning). The hook replaces
/// SQLite's copying at every 1,000 pages (a later `PRAGMA wal_autocheckpoint` would silently replace the hook).
///
/// The writer still copies at `writerCopiesAtPages`, for two reasons. The log starts again from the beginning
/// only once all of it is copied, and a checkpoint on another connection seldom gets there while commits go on
/// (bench/notify.sh, the log's length read every 100 ms: above 4,500 pages a third of the time without this,
/// up to 10,743; 1% of the time with it, the bench's own bulk insert). Here the writer copies only what the
/// checkpointer has not yet, with no commit beside it, and the log can start again. And where no
/// `WALCheckpointer` runs (the admin commands, tests of the stores alone), this alone bounds the log.
final class WALProgress: Sendable {
    static let writerCopiesAtPages: Int32 = 4_000
    private struct Count {
        var length = 0
        var written = 0
    }

    private let count = Mutex(Count())

    var pagesWritten: Int { count.withLock { $0.written } }

    /// Installs the hook on a connection that writes. Unretained: each connection's configuration holds the
    /// closure that holds this, for as long as the connection is open.
    func listen(to db: Database) {
        guard !db.configuration.readonly else { return }
        sqlite3_wal_hook(db.sqliteConnection, { context, connection, schema, pages in
            Unmanaged<WALProgress>.fromOpaque(context!).takeUnretainedValue().committed(logLength: Int(pages))
            if pages >= WALProgress.writerCopiesAtPages { sqlite3_wal_checkpoint(connection, schema) }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    private func committed(logLength: Int) {
        count.withLock { count in
            count.written += logLength >= count.length ? logLength - count.length : logLength
            count.length = logLength
        }
    }
}
