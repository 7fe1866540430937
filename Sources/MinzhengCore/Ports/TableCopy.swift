import Foundation

/// One stored value as SQLite keeps it, for copying a whole installation to PostgreSQL
/// (`minzheng copy-to-postgres`). The target converts each to its column's type.
public enum StoredValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// Rows of one table, with their column names.
public struct TableRows: Sendable {
    public let table: String
    public let columns: [String]
    public let rows: [[StoredValue]]

    public init(table: String, columns: [String], rows: [[StoredValue]]) {
        self.table = table
        self.columns = columns
        self.rows = rows
    }
}
