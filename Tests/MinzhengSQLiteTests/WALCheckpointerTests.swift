import Foundation
import GRDB
import MinzhengSQLite
import MinzhengTesting
import Testing

@Suite struct WALCheckpointerTests {
    /// Writes `pages` pages of log, in commits of 100.
    private func write(pages: Int, to database: SQLiteDatabase) async throws {
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE IF NOT EXISTS scratch (page BLOB)") }
        for _ in 0..<(pages / 100) {
            try await database.pool.write { db in
                for _ in 0..<100 { try db.execute(sql: "INSERT INTO scratch VALUES (zeroblob(4000))") }
            }
        }
    }

    /// Commits leave the log to the checkpointer: 2,000 pages (twice SQLite's threshold, at which a commit
    /// would have copied them itself) all wait for it, and its own connection copies every one while the pool
    /// stays open. Then it is due again only once another 1,000 pages were written.
    @Test func commitsLeaveTheLogToTheCheckpointer() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        let checkpointer = try WALCheckpointer(database)
        try await write(pages: 2_000, to: database)

        let copy = try #require(try await checkpointer.checkpointIfDue())
        #expect(copy.inLog >= 2_000)
        #expect(copy.copied == copy.inLog)
        #expect(try await checkpointer.checkpointIfDue() == nil)

        try await write(pages: 500, to: database)
        #expect(try await checkpointer.checkpointIfDue() == nil)
        try await write(pages: 500, to: database)
        let again = try #require(try await checkpointer.checkpointIfDue())
        #expect(again.copied == again.inLog)
        #expect(try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM scratch") } == 3_000)
    }

    /// With no checkpointer running (the admin commands), a commit still copies the log at 4,000 pages, and the
    /// log starts again from the beginning instead of growing for ever: 11,000 pages written, under 5,000 left.
    /// (SQLite's own copying at 1,000 pages would pass this too; the test above tells the two apart.)
    @Test func withoutACheckpointerTheLogIsStillBounded() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        try await write(pages: 11_000, to: database)
        let pages = try #require(try await WALCheckpointer(database).checkpoint())
        #expect(pages.inLog < 5_000)
        #expect(pages.copied == pages.inLog)
    }
}
