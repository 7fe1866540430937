import Foundation
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengSQLite

/// Moves an SQLite installation to PostgreSQL (`minzheng copy-to-postgres`): the target is migrated, must be
/// empty, and receives every table in one transaction, parents first, read from one snapshot of the SQLite file
/// (held in memory). The file is only read (after bringing its schema up to date), so the old installation stays
/// as it was until the service is switched over.
public enum DatabaseCopy {
    public struct Report: Sendable {
        /// Rows copied, by table.
        public let rows: [(table: String, count: Int)]
    }

    public static func copy(sqlitePath: String, to configuration: ServerConfiguration, logger: Logger) async throws -> Report {
        guard FileManager.default.fileExists(atPath: sqlitePath) else { throw ConfigurationError("no SQLite database at \(sqlitePath)") }
        guard let url = configuration.databaseURL else { throw ConfigurationError("set MINZHENG_DATABASE_URL to the PostgreSQL database to fill") }
        let source = try SQLiteTableDump(try SQLiteDatabase(path: sqlitePath))
        // A table this build does not know how to copy would be left behind without a word: refuse instead.
        let unknown = source.tableNames.subtracting(PostgresTableLoad.tables)
        guard unknown.isEmpty else { throw ConfigurationError("tables this build cannot copy: \(unknown.sorted().joined(separator: ", "))") }
        let tables = try PostgresTableLoad.tables.map { try source.rows(table: $0) }

        if let schema = configuration.databaseSchema { try await PostgresDatabase.createSchema(url: url, schema, logger: logger) }
        return try await PostgresDatabase.withTemporaryPool(url: url, schema: configuration.databaseSchema, logger: logger) { target in
            try await target.migrate()
            let load = PostgresTableLoad(target)
            guard try await load.isEmpty() else { throw ConfigurationError("the PostgreSQL database already holds data: copy only into an empty one") }
            try await load.load(tables)
            return Report(rows: tables.map { ($0.table, $0.rows.count) })
        }
    }
}
