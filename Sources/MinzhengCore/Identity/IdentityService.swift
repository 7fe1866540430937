import Crypto
import Foundation
import Synchronization
import _CryptoExtras

/// Where clients, staff and sessions are kept. Secrets are stored only as hashes.
public protocol IdentityStore: Sendable {
    func createClient(name: String, keyHash: String, now: Date) async throws -> APIClient
    func client(keyHash: String) async throws -> APIClient?
    func createCitizenSession(tokenHash: String, session: CitizenSession) async throws
    func citizenSession(tokenHash: String) async throws -> CitizenSession?
    /// A new account; `audit` (when an admin, not the command line, creates it) is written in the same transaction.
    func createStaff(username: String, passwordHash: String, role: StaffRole, division: DivisionCode, now: Date,
                     audit: AuditRecord?) async throws -> StaffMember
    /// Accounts whose division is `division` or under it, by username, with whether they are active.
    func staffAccounts(under division: DivisionCode) async throws -> [(member: StaffMember, active: Bool)]
    /// Disables the account and ends its sessions, writing `audit(member)` in the same transaction; nil when
    /// there is no such account or `allowed` refuses it.
    func disableStaff(username: String, now: Date, allowed: @escaping @Sendable (StaffMember) -> Bool,
                      audit: @escaping @Sendable (StaffMember) -> AuditRecord) async throws -> StaffMember?
    /// Credentials of an active account.
    func staffCredentials(username: String) async throws -> (member: StaffMember, passwordHash: String)?
    func createStaffSession(tokenHash: String, staffID: Int64, expiresAt: Date) async throws
    func staffSession(tokenHash: String) async throws -> (member: StaffMember, expiresAt: Date)?
}

/// Client keys, citizen sessions, staff accounts and staff sessions. Sessions live in the database (so any
/// instance can check them); each instance keeps the ones it has seen in memory until they expire.
public final class IdentityService: Sendable {
    public static let citizenSessionLifetime: TimeInterval = 2 * 3600
    public static let staffSessionLifetime: TimeInterval = 8 * 3600
    static let passwordRounds = 210_000
    static let cacheLimit = 200_000

    private let store: any IdentityStore
    private let now: @Sendable () -> Date
    private let clients = Mutex<[String: APIClient]>([:])
    private let citizens = Mutex<[String: CitizenSession]>([:])

    public init(store: any IdentityStore, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.now = now
    }

    // MARK: Clients

    /// A new app client; its key is returned once and stored only as a hash.
    public func createClient(name: String) async throws -> (client: APIClient, key: String) {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw DomainError.invalidParameter("name", "must be 1 to 100 characters") }
        let key = Secrets.token(prefix: "mzk_")
        return (try await store.createClient(name: name, keyHash: Secrets.hash(key), now: now()), key)
    }

    public func client(key: String) async throws -> APIClient? {
        let hash = Secrets.hash(key)
        if let known = clients.withLock({ $0[hash] }) { return known }
        guard let client = try await store.client(keyHash: hash) else { return nil }
        clients.withLock { $0[hash] = client }
        return client
    }

    // MARK: Citizens

    public func startCitizenSession(for client: APIClient, subject: String) async throws -> (token: String, expiresAt: Date) {
        let subject = subject.trimmingCharacters(in: .whitespaces)
        guard (1...128).contains(subject.count), subject.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else {
            throw DomainError.invalidParameter("subject", "must be 1 to 128 printable characters")
        }
        let token = Secrets.token(prefix: "mzc_")
        let session = CitizenSession(clientID: client.id, subject: subject, expiresAt: now().addingTimeInterval(Self.citizenSessionLifetime))
        try await store.createCitizenSession(tokenHash: Secrets.hash(token), session: session)
        remember(Secrets.hash(token), session)
        return (token, session.expiresAt)
    }

    public func citizen(token: String) async throws -> CitizenSession? {
        let hash = Secrets.hash(token)
        var session = citizens.withLock { $0[hash] }
        if session == nil, let stored = try await store.citizenSession(tokenHash: hash) {
            remember(hash, stored)
            session = stored
        }
        guard let session, session.expiresAt > now() else { return nil }
        return session
    }

    private func remember(_ hash: String, _ session: CitizenSession) {
        let at = now()
        citizens.withLock { cache in
            if cache.count >= Self.cacheLimit { cache = cache.filter { $0.value.expiresAt > at } }
            cache[hash] = session
        }
    }

    // MARK: Staff

    /// An account made from the command line (the first admin of a province starts here).
    public func createStaff(username: String, password: String, role: StaffRole, division: DivisionCode) async throws -> StaffMember {
        try await createStaff(username: username, password: password, role: role, division: division, audit: nil)
    }

    /// An account made by an admin, in the admin's division or under it; audited.
    public func createStaff(username: String, password: String, role: StaffRole, division: String, by admin: StaffMember) async throws
        -> StaffMember
    {
        let division = try Validate.divisionCode(division, parameter: "division")
        guard admin.mayManage(division) else {
            throw DomainError(.forbidden, code: "division_out_of_scope", title: "不能为本辖区以外的单位创建账号",
                              detail: "\(division) is not \(admin.division) or under it")
        }
        let audit = AuditRecord(staffID: admin.id, action: "staff.create", target: "staff:\(username)", at: now(),
                                after: "{\"division\":\"\(division)\",\"role\":\"\(role.rawValue)\",\"username\":\"\(username)\"}")
        return try await createStaff(username: username, password: password, role: role, division: division, audit: audit)
    }

    public func staffAccounts(by admin: StaffMember) async throws -> [(member: StaffMember, active: Bool)] {
        try await store.staffAccounts(under: admin.division)
    }

    /// Disables an account in the admin's division or under it; its sessions stop working at once. Another admin
    /// of the same division is out of reach (one admin cannot lock out the others): only the level above can.
    public func disableStaff(username: String, by admin: StaffMember) async throws -> StaffMember {
        guard username != admin.username else {
            throw DomainError(.conflict, code: "cannot_disable_self", title: "不能停用自己的账号", detail: "ask another admin")
        }
        let at = now()
        guard let member = try await store.disableStaff(
            username: username, now: at,
            allowed: { admin.mayManage($0.division) && ($0.role < .admin || $0.division.rawValue.count > admin.division.rawValue.count) },
            audit: { AuditRecord(staffID: admin.id, action: "staff.disable", target: "staff:\($0.username)", at: at,
                                 before: "{\"active\":true}", after: "{\"active\":false}") })
        else { throw DomainError.notFound("no active staff account \(username) in \(admin.division)") }
        return member
    }

    private func createStaff(username: String, password: String, role: StaffRole, division: DivisionCode, audit: AuditRecord?) async throws
        -> StaffMember
    {
        guard (3...64).contains(username.count), username.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw DomainError.invalidParameter("username", "must be 3 to 64 letters, digits, '.', '_' or '-'")
        }
        guard password.count >= 10 else { throw DomainError.invalidParameter("password", "must be at least 10 characters") }
        guard password.count <= 256 else { throw DomainError.invalidParameter("password", "must be at most 256 characters") }
        return try await store.createStaff(username: username, passwordHash: try Self.hashPassword(password), role: role, division: division,
                                           now: now(), audit: audit)
    }

    public func staffLogin(username: String, password: String) async throws -> (token: String, expiresAt: Date, member: StaffMember) {
        let refused = DomainError(.unauthenticated, code: "invalid_credentials", title: "用户名或密码错误", detail: "the username or password is wrong")
        guard username.count <= 64, password.count <= 256 else { throw refused }
        let credentials = try await store.staffCredentials(username: username)
        // Hash even for an unknown user, so the answer takes as long either way.
        let matches = try Self.verifyPassword(password, against: credentials?.passwordHash ?? Self.decoyHash)
        guard let member = credentials?.member, matches else { throw refused }
        let token = Secrets.token(prefix: "mzs_")
        let expiresAt = now().addingTimeInterval(Self.staffSessionLifetime)
        try await store.createStaffSession(tokenHash: Secrets.hash(token), staffID: member.id, expiresAt: expiresAt)
        return (token, expiresAt, member)
    }

    public func staff(token: String) async throws -> StaffMember? {
        guard let (member, expiresAt) = try await store.staffSession(tokenHash: Secrets.hash(token)), expiresAt > now() else { return nil }
        return member
    }

    // MARK: Passwords (PBKDF2-HMAC-SHA256)

    static let decoyHash = "pbkdf2-sha256$\(passwordRounds)$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

    static func hashPassword(_ password: String) throws -> String {
        let salt = SymmetricKey(size: .bits128).withUnsafeBytes { Data($0) }
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Data(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: passwordRounds)
        return "pbkdf2-sha256$\(passwordRounds)$\(salt.base64EncodedString())$\(key.withUnsafeBytes { Data($0) }.base64EncodedString())"
    }

    static func verifyPassword(_ password: String, against stored: String) throws -> Bool {
        let parts = stored.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds >= passwordRounds,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3]))
        else { return false }
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Data(password.utf8), salt: salt, using: .sha256, outputByteCount: expected.count, rounds: rounds)
        let derived = key.withUnsafeBytes { Array($0) }
        // Constant-time comparison: every byte is looked at whatever the first difference.
        return derived.count == expected.count && zip(derived, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
