import Foundation
import GRDB
import MinzhengCore

/// Reads whole tables as stored, all from one snapshot of the database, for `minzheng copy-to-postgres`.
public struct SQLiteTableDump: Sendable {
    private let snapshot: DatabaseSnapshot
    /// The schema's own tables in the snapshot (not SQLite's or GRDB's bookkeeping).
    public let tableNames: Set<String>

    public init(_ database: SQLiteDatabase) throws {
        snapshot = try database.pool.makeSnapshot()
        tableNames = try snapshot.read { db in
            Set(try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'
                """))
        }
    }

    /// Every row of `table`, in an order its foreign keys to itself allow: a divorce certificate's booking comes
    /// after the application it names.
    public func rows(table: String) throws -> TableRows {
        guard tableNames.contains(table) else { throw DatabaseError(message: "not a table of the schema: \(table)") }
        let order = table == "bookings" ? " ORDER BY divorce_application_id IS NOT NULL, created_at, id" : ""
        return try snapshot.read { db in
            let columns = try db.columns(in: table).map(\.name)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table)\(order)").map { row in
                columns.indices.map { index -> StoredValue in
                    switch (row[index] as DatabaseValue).storage {
                    case .null: .null
                    case .int64(let number): .integer(number)
                    case .double(let number): .real(number)
                    case .string(let text): .text(text)
                    case .blob(let data): .blob(data)
                    }
                }
            }
            return TableRows(table: table, columns: columns, rows: rows)
        }
    }
}
