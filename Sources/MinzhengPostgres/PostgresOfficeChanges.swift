import Logging
import MinzhengCore
import PostgresNIO

/// Office changes told between the processes on one database with LISTEN/NOTIFY. The listener holds one pooled
/// connection for as long as it listens. A pooler in transaction mode (PgBouncer's) loses notifications: give
/// the processes session connections (docs/deploy.md).
public struct PostgresOfficeChanges: OfficeChangeChannel {
    let client: PostgresClient
    let logger: Logger
    /// Per schema: processes of another installation in the same database do not hear this one's changes.
    let channel: String

    public init(_ database: PostgresDatabase, schema: String?) {
        client = database.client
        logger = database.logger
        channel = "minzheng_office_changed" + (schema.map { "_\($0)" } ?? "")
    }

    public func announce(officeID: Int64) async {
        do {
            _ = try await client.query("SELECT pg_notify(\(channel), \(String(officeID)))", logger: logger).collect()
        } catch {
            logger.warning("could not tell the other processes of an office change", metadata: ["office.id": "\(officeID)", "error": "\(error)"])
        }
    }

    public func listen(heard: @escaping @Sendable (Int64) -> Void, listening: @escaping @Sendable (Bool) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                listening(true)
                defer { listening(false) }
                for try await notification in notifications {
                    if let officeID = Int64(notification.payload) { heard(officeID) }
                }
            }
        }
    }
}
