import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Clients, staff and sessions in PostgreSQL: the same contract as `SQLiteIdentityStore`
/// (`IdentityStoreContract` runs against both).
public struct PostgresIdentityStore: IdentityStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    public func createClient(name: String, keyHash: String, now: Date) async throws -> APIClient {
        let rows = try await client.query("""
            INSERT INTO api_clients (name, key_hash, created_at) VALUES (\(name), \(keyHash), \(now.timeIntervalSince1970)) RETURNING id
            """, logger: logger)
        for try await id in rows.decode(Int64.self) { return APIClient(id: id, name: name) }
        throw PostgresDatabaseError("INSERT ... RETURNING answered no row")
    }

    public func client(keyHash: String) async throws -> APIClient? {
        for try await (id, name) in try await client.query("SELECT id, name FROM api_clients WHERE key_hash = \(keyHash)", logger: logger)
            .decode((Int64, String).self) {
            return APIClient(id: id, name: name)
        }
        return nil
    }

    public func createCitizenSession(tokenHash: String, session: CitizenSession) async throws {
        try await client.query("""
            INSERT INTO citizen_sessions (token_hash, client_id, subject, expires_at)
            VALUES (\(tokenHash), \(session.clientID), \(session.subject), \(session.expiresAt.timeIntervalSince1970))
            """, logger: logger)
    }

    public func citizenSession(tokenHash: String) async throws -> CitizenSession? {
        for try await (clientID, subject, expiresAt) in try await client.query(
            "SELECT client_id, subject, expires_at FROM citizen_sessions WHERE token_hash = \(tokenHash)", logger: logger)
            .decode((Int64, String, Double).self) {
            return CitizenSession(clientID: clientID, subject: subject, expiresAt: Date(timeIntervalSince1970: expiresAt))
        }
        return nil
    }

    public func createStaff(username: String, passwordHash: String, role: StaffRole, division: DivisionCode, now: Date,
                            audit: AuditRecord?) async throws -> StaffMember {
        do {
            return try await client.transaction(logger: logger) { connection in
                var id: Int64?
                for try await value in try await connection.query("""
                    INSERT INTO staff (username, password_hash, role, division_code, created_at)
                    VALUES (\(username), \(passwordHash), \(role.rawValue), \(division.rawValue), \(now.timeIntervalSince1970)) RETURNING id
                    """, logger: logger).decode(Int64.self) {
                    id = value
                }
                guard let id else { throw PostgresDatabaseError("INSERT ... RETURNING answered no row") }
                if let audit { try await PostgresAudit.append(connection, audit, logger: logger) }
                return StaffMember(id: id, username: username, role: role, division: division)
            }
        } catch where error.sqlState == "23505" {
            throw DomainError(.conflict, code: "username_taken", title: "用户名已存在", detail: "a staff member named \(username) exists")
        } catch where error.sqlState == "23503" {
            // The division's foreign key: a well-formed code that names no division.
            throw DomainError.invalidParameter("division", "no division \(division)")
        }
    }

    public func staffAccounts(under division: DivisionCode) async throws -> [(member: StaffMember, active: Bool)] {
        var accounts: [(member: StaffMember, active: Bool)] = []
        for try await (id, username, role, code, active) in try await client.query("""
            SELECT id, username, role, division_code, disabled_at IS NULL FROM staff
            WHERE division_code LIKE \(division.rawValue + "%") ORDER BY username
            """, logger: logger).decode((Int64, String, String, String, Bool).self) {
            if let member = Self.member(id, username, role, code) { accounts.append((member, active)) }
        }
        return accounts
    }

    public func disableStaff(username: String, now: Date, allowed: @escaping @Sendable (StaffMember) -> Bool,
                             audit: @escaping @Sendable (StaffMember) -> AuditRecord) async throws -> StaffMember? {
        return try await client.transaction(logger: logger) { connection in
            var found: StaffMember?
            for try await (id, name, role, code) in try await connection.query("""
                SELECT id, username, role, division_code FROM staff WHERE username = \(username) AND disabled_at IS NULL FOR UPDATE
                """, logger: logger).decode((Int64, String, String, String).self) {
                found = Self.member(id, name, role, code)
            }
            guard let member = found, allowed(member) else { return nil }
            try await connection.query("UPDATE staff SET disabled_at = \(now.timeIntervalSince1970) WHERE id = \(member.id)", logger: logger)
            try await connection.query("DELETE FROM staff_sessions WHERE staff_id = \(member.id)", logger: logger)
            try await PostgresAudit.append(connection, audit(member), logger: logger)
            return member
        }
    }

    public func staffCredentials(username: String) async throws -> (member: StaffMember, passwordHash: String)? {
        for try await (id, name, role, code, hash) in try await client.query("""
            SELECT id, username, role, division_code, password_hash FROM staff WHERE username = \(username) AND disabled_at IS NULL
            """, logger: logger).decode((Int64, String, String, String, String).self) {
            return Self.member(id, name, role, code).map { ($0, hash) }
        }
        return nil
    }

    public func createStaffSession(tokenHash: String, staffID: Int64, expiresAt: Date) async throws {
        try await client.query("""
            INSERT INTO staff_sessions (token_hash, staff_id, expires_at) VALUES (\(tokenHash), \(staffID), \(expiresAt.timeIntervalSince1970))
            """, logger: logger)
    }

    public func staffSession(tokenHash: String) async throws -> (member: StaffMember, expiresAt: Date)? {
        for try await (id, name, role, code, expiresAt) in try await client.query("""
            SELECT s.id, s.username, s.role, s.division_code, t.expires_at
            FROM staff_sessions t JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = \(tokenHash) AND s.disabled_at IS NULL
            """, logger: logger).decode((Int64, String, String, String, Double).self) {
            return Self.member(id, name, role, code).map { ($0, Date(timeIntervalSince1970: expiresAt)) }
        }
        return nil
    }

    private static func member(_ id: Int64, _ username: String, _ role: String, _ division: String) -> StaffMember? {
        guard let role = StaffRole(rawValue: role), let division = DivisionCode(division) else { return nil }
        return StaffMember(id: id, username: username, role: role, division: division)
    }
}

/// The audit log's writer: rows chained to the previous one, appended one at a time (an advisory lock held to
/// the end of the transaction), inside the caller's transaction.
enum PostgresAudit {
    static func append(_ connection: PostgresConnection, _ record: AuditRecord, logger: Logger) async throws {
        try await connection.run("SELECT pg_advisory_xact_lock(7426002)", logger: logger)
        var previous = AuditChain.genesis
        for try await hash in try await connection.query("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1", logger: logger).decode(String.self) {
            previous = hash
        }
        try await connection.query("""
            INSERT INTO audit_log (at, staff_id, action, target, before, after, prev_hash, hash)
            VALUES (\(record.at.timeIntervalSince1970), \(record.staffID), \(record.action), \(record.target), \(record.before), \(record.after),
                    \(previous), \(AuditChain.link(previous: previous, record)))
            """, logger: logger)
    }
}

extension PostgresIdentityStore: AuditStore {
    public func auditTrail(after id: Int64, limit: Int) async throws -> [AuditEntry] {
        try await PostgresAudit.trail(client, after: id, limit: limit, logger: logger)
    }
}

extension PostgresAudit {
    /// At most `limit` rows of the audit log after row `after`, oldest first.
    static func trail(_ client: PostgresClient, after: Int64, limit: Int, logger: Logger) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for try await (id, at, staffID, action, target, before, after, previous, hash) in try await client.query("""
            SELECT id, at, staff_id, action, target, before, after, prev_hash, hash FROM audit_log WHERE id > \(after) ORDER BY id LIMIT \(limit)
            """, logger: logger).decode((Int64, Double, Int64, String, String, String?, String?, String, String).self) {
            entries.append(AuditEntry(id: id, staffID: staffID, action: action, target: target, at: Date(timeIntervalSince1970: at),
                                      before: before, after: after, previousHash: previous, hash: hash))
        }
        return entries
    }
}
