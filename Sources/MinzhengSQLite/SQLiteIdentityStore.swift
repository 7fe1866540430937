import Foundation
import GRDB
import MinzhengCore

/// Clients, staff and sessions in SQLite (shared by every process on the file).
public struct SQLiteIdentityStore: IdentityStore {
    private let pool: DatabasePool

    public init(_ database: SQLiteDatabase) { pool = database.pool }

    public func createClient(name: String, keyHash: String, now: Date) async throws -> APIClient {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO api_clients (name, key_hash, created_at) VALUES (?, ?, ?)",
                           arguments: [name, keyHash, now.timeIntervalSince1970])
            return APIClient(id: db.lastInsertedRowID, name: name)
        }
    }

    public func client(keyHash: String) async throws -> APIClient? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, name FROM api_clients WHERE key_hash = ?", arguments: [keyHash])
                .map { APIClient(id: $0["id"], name: $0["name"]) }
        }
    }

    public func createCitizenSession(tokenHash: String, session: CitizenSession) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO citizen_sessions (token_hash, client_id, subject, expires_at) VALUES (?, ?, ?, ?)",
                           arguments: [tokenHash, session.clientID, session.subject, session.expiresAt.timeIntervalSince1970])
        }
    }

    public func citizenSession(tokenHash: String) async throws -> CitizenSession? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT client_id, subject, expires_at FROM citizen_sessions WHERE token_hash = ?", arguments: [tokenHash])
                .map { CitizenSession(clientID: $0["client_id"], subject: $0["subject"], expiresAt: Date(timeIntervalSince1970: $0["expires_at"])) }
        }
    }

    public func createStaff(username: String, passwordHash: String, role: StaffRole, division: DivisionCode, now: Date,
                            audit: AuditRecord?) async throws -> StaffMember {
        try await pool.write { db in
            do {
                try db.execute(sql: "INSERT INTO staff (username, password_hash, role, division_code, created_at) VALUES (?, ?, ?, ?, ?)",
                               arguments: [username, passwordHash, role.rawValue, division.rawValue, now.timeIntervalSince1970])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw DomainError(.conflict, code: "username_taken", title: "用户名已存在", detail: "a staff member named \(username) exists")
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                throw DomainError.invalidParameter("division", "no division \(division)")
            }
            let member = StaffMember(id: db.lastInsertedRowID, username: username, role: role, division: division)
            if let audit { try SQLiteAudit.append(db, audit) }
            return member
        }
    }

    public func staffAccounts(under division: DivisionCode) async throws -> [(member: StaffMember, active: Bool)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                    SELECT id, username, role, division_code, disabled_at IS NULL AS active FROM staff
                    WHERE division_code = ? OR division_code LIKE ? ORDER BY username
                    """, arguments: [division.rawValue, division.rawValue + "%"])
                .compactMap { row in Self.member(row).map { ($0, row["active"]) } }
        }
    }

    public func disableStaff(username: String, now: Date, allowed: @escaping @Sendable (StaffMember) -> Bool,
                             audit: @escaping @Sendable (StaffMember) -> AuditRecord) async throws -> StaffMember? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, username, role, division_code FROM staff WHERE username = ? AND disabled_at IS NULL",
                                             arguments: [username]),
                let member = Self.member(row), allowed(member)
            else { return nil }
            try db.execute(sql: "UPDATE staff SET disabled_at = ? WHERE id = ?", arguments: [now.timeIntervalSince1970, member.id])
            try db.execute(sql: "DELETE FROM staff_sessions WHERE staff_id = ?", arguments: [member.id])
            try SQLiteAudit.append(db, audit(member))
            return member
        }
    }

    public func staffCredentials(username: String) async throws -> (member: StaffMember, passwordHash: String)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, username, role, division_code, password_hash FROM staff WHERE username = ? AND disabled_at IS NULL",
                                             arguments: [username]),
                let member = Self.member(row)
            else { return nil }
            return (member, row["password_hash"])
        }
    }

    public func createStaffSession(tokenHash: String, staffID: Int64, expiresAt: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO staff_sessions (token_hash, staff_id, expires_at) VALUES (?, ?, ?)",
                           arguments: [tokenHash, staffID, expiresAt.timeIntervalSince1970])
        }
    }

    public func staffSession(tokenHash: String) async throws -> (member: StaffMember, expiresAt: Date)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                    SELECT s.id, s.username, s.role, s.division_code, t.expires_at
                    FROM staff_sessions t JOIN staff s ON s.id = t.staff_id WHERE t.token_hash = ? AND s.disabled_at IS NULL
                    """, arguments: [tokenHash]),
                let member = Self.member(row)
            else { return nil }
            return (member, Date(timeIntervalSince1970: row["expires_at"]))
        }
    }

    private static func member(_ row: Row) -> StaffMember? {
        guard let role = StaffRole(rawValue: row["role"]), let division = DivisionCode(row["division_code"] as String) else { return nil }
        return StaffMember(id: row["id"], username: row["username"], role: role, division: division)
    }
}
