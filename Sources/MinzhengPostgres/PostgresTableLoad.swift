import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Loads an SQLite installation's tables into an empty, migrated PostgreSQL database (`minzheng copy-to-postgres`).
/// Both schemas have the same tables and column names; values are converted to each column's PostgreSQL type.
public struct PostgresTableLoad: Sendable {
    /// Every table, parents before the tables whose foreign keys point at them.
    public static let tables = [
        "divisions", "resource_types", "api_clients", "calendar_days", "seed_imports", "dataset_versions", "audit_log", "idempotency_keys",
        "outbox_events", "outbox_once", "waitlist_entries", "high_demand_dates", "draw_entries", "draw_seeds", "draws",
        "directory_entries", "staff", "social_orgs", "eldercare_facilities", "citizen_sessions", "webhook_subscriptions",
        "staff_sessions", "slots", "office_days", "office_schedules", "waitlist_applicants", "draw_applicants", "deliveries",
        "bookings", "booking_applicants", "delivery_attempts", "service_items", "service_publications", "service_halls", "applications",
    ]

    /// Columns whose ids the copy brings along: their sequences must then start after the largest.
    static let sequences = [("api_clients", "id"), ("staff", "id"), ("audit_log", "id"), ("outbox_events", "id"),
                            ("waitlist_entries", "position"), ("webhook_subscriptions", "id")]

    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    /// True when no table holds a row: a copy never mixes two installations.
    public func isEmpty() async throws -> Bool {
        for table in Self.tables {
            for try await _ in try await client.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), logger: logger).decode(Int.self) {
                return false
            }
        }
        return true
    }

    /// Inserts every table's rows in one transaction (all or nothing: a failed copy leaves the database empty),
    /// about 500 values per statement, then starts every id sequence after the largest id copied.
    public func load(_ tables: [TableRows]) async throws {
        try await client.transaction(logger: logger) { connection in
            for rows in tables { try await Self.load(rows, on: connection, logger: logger) }
            for (table, column) in Self.sequences {
                try await connection.run(PostgresQuery(unsafeSQL: """
                    SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), max(\(column))) FROM \(table) HAVING max(\(column)) IS NOT NULL
                    """), logger: logger)
            }
        }
    }

    private static func load(_ rows: TableRows, on connection: PostgresConnection, logger: Logger) async throws {
        guard tables.contains(rows.table) else { throw PostgresDatabaseError("not a table of the schema: \(rows.table)") }
        let types = try await columnTypes(rows.table, on: connection, logger: logger)
        let columns = try rows.columns.map { column in
            guard let type = types[column] else { throw PostgresDatabaseError("\(rows.table).\(column) has no PostgreSQL column") }
            return (name: column, type: type)
        }
        let perStatement = max(1, 500 / max(1, columns.count))
        let list = columns.map { "\"\($0.name)\"" }.joined(separator: ", ")
        for start in stride(from: 0, to: rows.rows.count, by: perStatement) {
            var bindings = PostgresBindings()
            var tuples: [String] = []
            for row in rows.rows[start..<min(start + perStatement, rows.rows.count)] {
                var places: [String] = []
                for (value, column) in zip(row, columns) {
                    try bind(value, table: rows.table, column: column.name, type: column.type, into: &bindings)
                    places.append("$\(bindings.count)")
                }
                tuples.append("(" + places.joined(separator: ", ") + ")")
            }
            try await connection.run(
                PostgresQuery(unsafeSQL: "INSERT INTO \(rows.table) (\(list)) VALUES \(tuples.joined(separator: ", "))", binds: bindings),
                logger: logger)
        }
    }

    private static func columnTypes(_ table: String, on connection: PostgresConnection, logger: Logger) async throws -> [String: String] {
        var types: [String: String] = [:]
        for try await (name, type) in try await connection.query("""
            SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = \(table)
            """, logger: logger).decode((String, String).self) {
            types[name] = type
        }
        return types
    }

    /// `value` as the column's type. SQLite keeps flags as 0/1, a few lists as text and a few times as ISO-8601
    /// text; PostgreSQL has booleans, arrays and seconds since 1970 there.
    static func bind(_ value: StoredValue, table: String, column: String, type: String, into bindings: inout PostgresBindings) throws {
        // The value itself stays out of the message: it may be personal data.
        func refuse() -> PostgresDatabaseError { PostgresDatabaseError("\(table).\(column): a stored value does not fit \(type)") }
        switch (value, type) {
        case (.null, _): bindings.appendNull()
        case (.integer(let number), "boolean"): bindings.append(number != 0)
        case (.integer(let number), "bigint"), (.integer(let number), "integer"), (.integer(let number), "smallint"): bindings.append(Int(number))
        case (.integer(let number), "double precision"): bindings.append(Double(number))
        case (.real(let number), "double precision"): bindings.append(number)
        case (.text(let text), "double precision"):
            // Times SQLite's stores keep as ISO-8601 text (directory entries, eldercare facilities, the seed ledger).
            guard let date = try? Date(text, strategy: .iso8601) else { throw refuse() }
            bindings.append(date.timeIntervalSince1970)
        case (.text(let text), "text"): bindings.append(text)
        case (.text(let text), "ARRAY"):
            bindings.append(try list(text, column: column, refuse: refuse))
        case (.blob(let data), "bytea"): try bindings.append(data)
        default: throw refuse()
        }
    }

    /// Lists: a JSON array (directory entries' services) or ";"-separated (eldercare care levels).
    private static func list(_ text: String, column: String, refuse: () -> PostgresDatabaseError) throws -> [String] {
        if column == "services" {
            guard let items = try? JSONDecoder().decode([String].self, from: Data(text.utf8)) else { throw refuse() }
            return items
        }
        return text.isEmpty ? [] : text.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
    }
}
