import Foundation
import GRDB
import MinzhengCore

/// Reads whole tables as stored, for `minzheng copy-to-postgres`.
public enum SQLiteTableDump {
    /// Every row of `table` (one of the schema's own tables), in an order its foreign keys to itself allow:
    /// a divorce certificate's booking comes after the application it names.
    public static func rows(_ database: SQLiteDatabase, table: String) throws -> TableRows {
        guard table.allSatisfy({ $0.isLetter || $0 == "_" }) else { throw DatabaseError(message: "not a table name: \(table)") }
        let order = table == "bookings" ? " ORDER BY divorce_application_id IS NOT NULL, created_at, id" : ""
        return try database.pool.read { db in
            let columns = try db.columns(in: table).map(\.name)
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table)\(order)").map { row in
                columns.indices.map { index -> StoredValue in
                    switch row[index] as DatabaseValue {
                    case let value where value.isNull: .null
                    case let value:
                        switch value.storage {
                        case .int64(let number): .integer(number)
                        case .double(let number): .real(number)
                        case .string(let text): .text(text)
                        case .blob(let data): .blob(data)
                        case .null: .null
                        }
                    }
                }
            }
            return TableRows(table: table, columns: columns, rows: rows)
        }
    }
}
