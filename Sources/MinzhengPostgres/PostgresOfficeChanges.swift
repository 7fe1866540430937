import Logging
import MinzhengCore
import PostgresNIO

/// Office changes told between the processes on one database with LISTEN/NOTIFY. The listener holds one pooled
/// connection for as long as it listens. A pooler in transaction mode (PgBouncer's) loses notifications: give
/// the processes session connections (docs/deploy.md).
public struct PostgresOfficeChanges: OfficeChangeChannel {
    let client: PostgresClient
    let logger: Logger
    let channel: String

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
        channel = Self.channel(schema: database.schema)
    }

    /// Per schema: processes of another installation in the same database do not hear this one's changes.
    static func channel(schema: String?) -> String { "minzheng_office_changed" + (schema.map { "_\($0)" } ?? "") }

    public func announce(_ change: OfficeChange) async {
        do {
            _ = try await client.query("SELECT pg_notify(\(channel), \(Self.payload(change)))", logger: logger).collect()
        } catch {
            logger.warning("could not tell the other processes of an office change", metadata: ["change": "\(change)", "error": "\(error)"])
        }
    }

    /// Inside a transaction: delivered when, and only if, it commits.
    func announce(_ change: OfficeChange, on connection: PostgresConnection) async throws {
        _ = try await connection.query("SELECT pg_notify(\(channel), \(Self.payload(change)))", logger: logger).collect()
    }

    public func listen(heard: @escaping @Sendable (OfficeChange) -> Void, listening: @escaping @Sendable (Bool) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                listening(true)
                defer { listening(false) }
                for try await notification in notifications {
                    if let change = Self.change(notification.payload) { heard(change) }
                }
            }
        }
    }

    /// `changed 9`, `filled 9 2026-12-02 09:00 marriage`.
    static func payload(_ change: OfficeChange) -> String {
        switch change {
        case .changed(let officeID): "changed \(officeID)"
        case .filled(let slot): "filled \(slot.officeID) \(slot.date.description) \(slot.period) \(slot.service.rawValue)"
        }
    }

    static func change(_ payload: String) -> OfficeChange? {
        let fields = payload.split(separator: " ").map(String.init)
        switch (fields.first, fields.count) {
        case ("changed", 2):
            return Int64(fields[1]).map { .changed(officeID: $0) }
        case ("filled", 5):
            guard let officeID = Int64(fields[1]), let date = LocalDate(iso: fields[2]), let service = MarriageService(rawValue: fields[4]) else { return nil }
            return .filled(SlotKey(officeID: officeID, date: date, period: fields[3], service: service))
        default:
            return nil
        }
    }
}
