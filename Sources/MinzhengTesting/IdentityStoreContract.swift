import Foundation
import MinzhengCore

/// What every `IdentityStore` must do, whatever database is behind it. Run by each backend's tests against a
/// fresh, empty store; a broken promise throws `ContractFailure` naming it.
public enum IdentityStoreContract {
    static func check(_ condition: Bool, _ promise: String) throws { try ContractFailure.check(condition, "IdentityStore", promise) }

    public static func run(_ store: any IdentityStore, audit: any AuditStore) async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        let app = try await store.createClient(name: "江苏政务服务", keyHash: "key-hash-1", now: now)
        try check(try await store.client(keyHash: "key-hash-1") == app, "a client is found by its key hash")
        try check(try await store.client(keyHash: "nope") == nil, "an unknown key hash finds no client")

        let session = CitizenSession(clientID: app.id, subject: "openid-1", expiresAt: now.addingTimeInterval(7200))
        try await store.createCitizenSession(tokenHash: "citizen-1", session: session)
        try check(try await store.citizenSession(tokenHash: "citizen-1") == session, "a citizen session is found by its token hash")
        try check(try await store.citizenSession(tokenHash: "nope") == nil, "an unknown token finds no session")

        let admin = try await store.createStaff(username: "province", passwordHash: "h0", role: .admin, division: DivisionCode("32")!, now: now,
                                                audit: nil)
        let clerk = try await store.createStaff(
            username: "nj-clerk", passwordHash: "h1", role: .clerk, division: DivisionCode("3201")!, now: now,
            audit: AuditRecord(staffID: admin.id, action: "staff.create", target: "staff:nj-clerk", at: now))
        _ = try await store.createStaff(username: "wx-clerk", passwordHash: "h2", role: .clerk, division: DivisionCode("3202")!, now: now, audit: nil)
        _ = try await store.createStaff(username: "zj-clerk", passwordHash: "h3", role: .clerk, division: DivisionCode("33")!, now: now, audit: nil)
        do {
            _ = try await store.createStaff(username: "nj-clerk", passwordHash: "h", role: .clerk, division: DivisionCode("3201")!, now: now, audit: nil)
            try check(false, "a second account with a taken username is refused")
        } catch let error as DomainError {
            try check(error.code == "username_taken", "a taken username is refused with username_taken, not \(error.code)")
        }
        do {
            _ = try await store.createStaff(username: "nowhere", passwordHash: "h", role: .clerk, division: DivisionCode("320199999")!, now: now,
                                            audit: nil)
            try check(false, "an account in a division that does not exist is refused")
        } catch let error as DomainError {
            try check(error.code == "invalid_parameter", "an unknown division is refused with invalid_parameter, not \(error.code)")
        }
        let credentials = try await store.staffCredentials(username: "nj-clerk")
        try check(credentials?.member == clerk && credentials?.passwordHash == "h1", "credentials of an active account are found")
        let nanjing = try await store.staffAccounts(under: DivisionCode("3201")!).map(\.member.username)
        try check(nanjing == ["nj-clerk"], "accounts under 3201 are its own only, not \(nanjing)")
        let jiangsu = try await store.staffAccounts(under: DivisionCode("32")!).map(\.member.username)
        try check(jiangsu == ["nj-clerk", "province", "wx-clerk"], "accounts under 32 are by username and exclude 33, not \(jiangsu)")

        try await store.createStaffSession(tokenHash: "staff-1", staffID: clerk.id, expiresAt: now.addingTimeInterval(3600))
        let staffSession = try await store.staffSession(tokenHash: "staff-1")
        try check(staffSession?.member == clerk && staffSession?.expiresAt == now.addingTimeInterval(3600), "a staff session is found")

        let refused = try await store.disableStaff(username: "nj-clerk", now: now, allowed: { _ in false }, audit: { member in
            AuditRecord(staffID: admin.id, action: "staff.disable", target: "staff:\(member.username)", at: now)
        })
        try check(refused == nil, "a disable that `allowed` refuses changes nothing")
        try check(try await store.staffSession(tokenHash: "staff-1") != nil, "a refused disable keeps the sessions")
        let disabled = try await store.disableStaff(username: "nj-clerk", now: now, allowed: { _ in true }, audit: { member in
            AuditRecord(staffID: admin.id, action: "staff.disable", target: "staff:\(member.username)", at: now)
        })
        try check(disabled == clerk, "an allowed disable answers the member")
        try check(try await store.staffSession(tokenHash: "staff-1") == nil, "a disabled account's sessions end at once")
        try check(try await store.staffCredentials(username: "nj-clerk") == nil, "a disabled account cannot log in")
        let states = try await store.staffAccounts(under: DivisionCode("3201")!).map(\.active)
        try check(states == [false], "a disabled account is listed as inactive")
        try check(try await store.disableStaff(username: "nj-clerk", now: now, allowed: { _ in true }, audit: { _ in
            AuditRecord(staffID: admin.id, action: "staff.disable", target: "again", at: now)
        }) == nil, "an account already disabled is not disabled again")

        let trail = try await audit.auditTrail()
        try check(trail.map(\.action) == ["staff.create", "staff.disable"], "each audited change wrote one row, not \(trail.map(\.action))")
        try check(trail.first?.previousHash == AuditChain.genesis && trail.last?.previousHash == trail.first?.hash,
                  "audit rows are chained")
        let second = try await audit.auditTrail(after: trail[0].id, limit: 1), beyond = try await audit.auditTrail(after: trail[1].id, limit: 10)
        try check(second.map(\.id) == [trail[1].id] && beyond.isEmpty,
                  "the trail is read a page at a time, after a row")
        try check(trail.allSatisfy { entry in
            entry.hash == AuditChain.link(previous: entry.previousHash, AuditRecord(staffID: entry.staffID, action: entry.action, target: entry.target,
                                                                                     at: entry.at, before: entry.before, after: entry.after))
        }, "every audit row's hash covers its content")
    }
}

/// A store broke a promise of its contract.
public struct ContractFailure: Error, CustomStringConvertible {
    public let description: String

    static func check(_ condition: Bool, _ contract: String, _ promise: String) throws {
        if !condition { throw ContractFailure(description: "\(contract) contract: \(promise)") }
    }
}
