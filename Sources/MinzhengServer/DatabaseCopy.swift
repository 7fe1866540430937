import Foundation
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengSQLite

/// Moves an SQLite installation to PostgreSQL (`minzheng copy-to-postgres`): the target is migrated, must be
/// empty, and receives every table in one pass, parents first. The SQLite file is only read (after bringing its
/// schema up to date), so the old installation stays as it was until the service is switched over.
public enum DatabaseCopy {
    public struct Report: Sendable {
        /// Rows copied, by table.
        public let rows: [(table: String, count: Int)]
    }

    public static func copy(sqlitePath: String, to configuration: ServerConfiguration, logger: Logger) async throws -> Report {
        guard FileManager.default.fileExists(atPath: sqlitePath) else { throw ConfigurationError("no SQLite database at \(sqlitePath)") }
        guard let url = configuration.databaseURL else { throw ConfigurationError("set MINZHENG_DATABASE_URL to the PostgreSQL database to fill") }
        let source = try SQLiteDatabase(path: sqlitePath)
        if let schema = configuration.databaseSchema { try await PostgresDatabase.createSchema(url: url, schema, logger: logger) }
        let target = try PostgresDatabase(url: url, schema: configuration.databaseSchema, logger: logger)
        let pool = Task { await target.client.run() }
        defer { pool.cancel() }
        try await target.migrate()
        let load = PostgresTableLoad(target)
        guard try await load.isEmpty() else { throw ConfigurationError("the PostgreSQL database already holds data: copy only into an empty one") }
        var copied: [(table: String, count: Int)] = []
        for table in PostgresTableLoad.tables {
            let rows = try SQLiteTableDump.rows(source, table: table)
            try await load.load(rows)
            copied.append((table, rows.rows.count))
            logger.info("table copied", metadata: ["copy.table": "\(table)", "copy.rows": "\(rows.rows.count)"])
        }
        try await load.advanceSequences()
        return Report(rows: copied)
    }
}
