import Foundation
import Synchronization

/// The answer to "is this code real, and whose is it?".
public struct SocialOrgVerification: Sendable {
    public let code: CreditCode
    public let organisation: SocialOrg?
    /// Whether the given name is the organisation's; nil when no name was given or nothing was found.
    public let nameMatches: Bool?
    public let warnings: [SocialOrg.Warning]
}

/// Social organisations: verification, search, look-up by code, and the data feed's import.
public final class SocialOrgService: Sendable {
    private let store: any SocialOrgStore
    /// Where searches run with `MINZHENG_SEARCH=database` (PostgreSQL); nil: in the registry.
    private let index: (any SearchIndex)?
    private let snapshot: Mutex<SocialOrgRegistry>
    /// The store's data-set version the registry was loaded at.
    private let loadedVersion = Mutex<Int64>(-1)

    public init(store: any SocialOrgStore, index: (any SearchIndex)? = nil) {
        self.store = store
        self.index = index
        snapshot = Mutex(SocialOrgRegistry([]))
    }

    public var registry: SocialOrgRegistry { snapshot.withLock { $0 } }

    public func reload() async throws {
        let version = try await store.version()
        let registry = SocialOrgRegistry(try await store.socialOrgs())
        snapshot.withLock { $0 = registry }
        loadedVersion.withLock { $0 = version }
    }

    /// Reloads when an import (by this or another process) changed the data; says whether it did.
    public func reloadIfChanged() async throws -> Bool {
        guard try await store.version() != loadedVersion.withLock({ $0 }) else { return false }
        try await reload()
        return true
    }

    /// Checks the code's form (422 `invalid_credit_code` with the reason) and looks it up.
    public func verify(code text: String, name: String?) throws(DomainError) -> SocialOrgVerification {
        try verify(code: text, name: name, in: registry)
    }

    public func verify(code text: String, name: String?, in registry: SocialOrgRegistry) throws(DomainError) -> SocialOrgVerification {
        let code = try Self.code(text, in: registry)
        let name = name?.trimmingCharacters(in: .whitespaces)
        if let name, name.isEmpty || name.count > 100 { throw .invalidParameter("name", "must be 1 to 100 characters") }
        guard let organisation = registry.organisation(code) else {
            return SocialOrgVerification(code: code, organisation: nil, nameMatches: nil, warnings: [
                .init(code: "not_found", message: "未查询到使用该统一社会信用代码登记的社会组织，请谨慎对待"),
            ])
        }
        var warnings = organisation.warnings
        let matches = name.map { organisation.nameMatches($0) }
        if matches == false {
            warnings.insert(.init(code: "name_mismatch", message: "该代码登记的名称为“\(organisation.name)”，与所给名称不符"), at: 0)
        }
        return SocialOrgVerification(code: code, organisation: organisation, nameMatches: matches, warnings: warnings)
    }

    public func organisation(code text: String) throws(DomainError) -> SocialOrg {
        let registry = self.registry
        let code = try Self.code(text, in: registry)
        guard let organisation = registry.organisation(code) else { throw .notFound("no social organisation \(code)") }
        return organisation
    }

    public func search(name: String?, kind: String?, status: String?, division: String?, page: PageRequest) async throws -> Page<SocialOrg> {
        let query = SocialOrgRegistry.Query(
            name: try name.map { text throws(DomainError) in try Validate.name(text, parameter: "q") },
            kind: try kind.map { text throws(DomainError) in try Validate.oneOf(text, parameter: "type") },
            status: try status.map { text throws(DomainError) in try Validate.oneOf(text, parameter: "status") },
            division: try division.map { text throws(DomainError) in try Validate.divisionCode(text, parameter: "division") })
        let registry = self.registry
        guard let index else { return try registry.search(query, page: page) }
        let codes = try await index.socialOrgs(query, after: try SocialOrgRegistry.resume(from: page.after), count: page.limit + 1)
        return Page(rows: codes, limit: page.limit, item: registry.organisation(code:), cursor: SocialOrgRegistry.cursor(after:))
    }

    /// Imports a data feed: every row is checked first, and either all are stored (in one transaction) or
    /// none, with the rejected rows and their reasons. Importing the same feed again changes nothing.
    public func importFeed(_ feed: SocialOrgFeed) async throws -> SocialOrgImport {
        guard feed.rejections.isEmpty else { return SocialOrgImport(rejections: feed.rejections, added: 0, changed: 0, unchanged: 0) }
        let outcome = try await store.upsert(feed.organisations)
        try await reload()
        return SocialOrgImport(rejections: [], added: outcome.added, changed: outcome.changed, unchanged: outcome.unchanged)
    }

    /// The code, or 422 `invalid_credit_code` with the reason. A code that fails only the organisation code's
    /// check (the 17th character) is still answered when the registry holds it: it was imported before that check.
    static func code(_ text: String, in registry: SocialOrgRegistry) throws(DomainError) -> CreditCode {
        let text = text.trimmingCharacters(in: .whitespaces)
        do { return try CreditCode(text) } catch {
            if case .organisationCheck = error, let registered = try? CreditCode(text, checkingOrganisationCode: false),
               registry.organisation(registered) != nil {
                return registered
            }
            throw DomainError(.unprocessable, code: "invalid_credit_code", title: "统一社会信用代码格式有误", detail: error.explanation)
        }
    }
}

public struct SocialOrgImport: Sendable {
    public let rejections: [DataFeed.Rejection]
    public let added: Int
    public let changed: Int
    public let unchanged: Int
}

/// Where the registry of social organisations is kept.
public protocol SocialOrgStore: Sendable {
    func socialOrgs() async throws -> [SocialOrg]
    /// Changes whenever an import changes the organisations.
    func version() async throws -> Int64
    /// Adds new organisations and replaces changed ones, in one transaction; counts what it did.
    func upsert(_ organisations: [SocialOrg]) async throws -> (added: Int, changed: Int, unchanged: Int)
}

/// A store that also takes the shipped seed file, once per file content (`parse` runs only for a new file).
public protocol SocialOrgSeedStore: SocialOrgStore {
    @discardableResult
    func importSeed(checksum: String, _ parse: () throws -> [SocialOrg]) async throws -> Bool
}
