import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// The registry of social organisations in PostgreSQL: the same contract as `SQLiteSocialOrgStore`.
public struct PostgresSocialOrgStore: SocialOrgSeedStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    public func socialOrgs() async throws -> [SocialOrg] {
        var organisations: [SocialOrg] = []
        let rows = try await client.query("""
            SELECT code, name, kind, status, authority, division_code, registered_on, legal_representative, address, phone, inspections, list_entries
            FROM social_orgs ORDER BY code
            """, logger: logger)
        for try await (code, name, kind, status, authority, division, registeredOn, representative, address, phone, inspections, entries) in
            rows.decode((String, String, String, String, String, String, String, String, String, String, String, String).self) {
            // As imported: a code from before the organisation-code check was made is still read (and found).
            guard let code = try? CreditCode(code, checkingOrganisationCode: false), let kind = SocialOrg.Kind(rawValue: kind), let status = SocialOrg.Status(rawValue: status),
                let division = DivisionCode(division), let registeredOn = LocalDate(iso: registeredOn),
                let inspections = SocialOrgFeed.parseInspections(inspections), let entries = SocialOrgFeed.parseListEntries(entries)
            else { throw PostgresDatabaseError("social_orgs has an unreadable row: \(code)") }
            organisations.append(SocialOrg(code: code, name: name, kind: kind, status: status, authority: authority, division: division,
                                           registeredOn: registeredOn, legalRepresentative: representative, address: address, phone: phone,
                                           inspections: inspections, listEntries: entries))
        }
        return organisations
    }

    public func version() async throws -> Int64 {
        try await PostgresDatasetVersion.current(client, "social_orgs", logger: logger)
    }

    /// One statement for the whole feed (columns as arrays); rows whose content is the same are not written, and
    /// `RETURNING (xmax = 0)` tells an insert from an update.
    public func upsert(_ organisations: [SocialOrg]) async throws -> (added: Int, changed: Int, unchanged: Int) {
        return try await client.transaction(logger: logger) { connection in try await Self.upsert(connection, organisations, logger: logger) }
    }

    /// Imports the seed file's organisations once per file content (`parse` runs only for a new file).
    @discardableResult
    public func importSeed(checksum: String, _ parse: () throws -> [SocialOrg]) async throws -> Bool {
        try await PostgresSeedLedger.importOnce(client, key: "social-orgs:" + checksum, logger: logger, parse: parse) { connection, organisations in
            _ = try await Self.upsert(connection, organisations, logger: logger)
        }
    }

    private static func upsert(_ connection: PostgresConnection, _ organisations: [SocialOrg], logger: Logger) async throws
        -> (added: Int, changed: Int, unchanged: Int) {
        let o = organisations
        var added = 0, changed = 0
        for try await inserted in try await connection.query("""
            INSERT INTO social_orgs (code, name, kind, status, authority, division_code, registered_on, legal_representative,
                                     address, phone, inspections, list_entries, updated_at)
            SELECT u.*, \(Date().timeIntervalSince1970)::double precision FROM unnest(
                \(o.map(\.code.value))::text[], \(o.map(\.name))::text[], \(o.map(\.kind.rawValue))::text[], \(o.map(\.status.rawValue))::text[],
                \(o.map(\.authority))::text[], \(o.map(\.division.rawValue))::text[], \(o.map(\.registeredOn.description))::text[],
                \(o.map(\.legalRepresentative))::text[], \(o.map(\.address))::text[], \(o.map(\.phone))::text[],
                \(o.map { SocialOrgFeed.text($0.inspections) })::text[], \(o.map { SocialOrgFeed.text($0.listEntries) })::text[]) AS u
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, status = excluded.status,
                authority = excluded.authority, division_code = excluded.division_code, registered_on = excluded.registered_on,
                legal_representative = excluded.legal_representative, address = excluded.address, phone = excluded.phone,
                inspections = excluded.inspections, list_entries = excluded.list_entries, updated_at = excluded.updated_at
            WHERE (social_orgs.name, social_orgs.kind, social_orgs.status, social_orgs.authority, social_orgs.division_code,
                   social_orgs.registered_on, social_orgs.legal_representative, social_orgs.address, social_orgs.phone,
                   social_orgs.inspections, social_orgs.list_entries)
               IS DISTINCT FROM (excluded.name, excluded.kind, excluded.status, excluded.authority, excluded.division_code,
                   excluded.registered_on, excluded.legal_representative, excluded.address, excluded.phone,
                   excluded.inspections, excluded.list_entries)
            RETURNING (xmax = 0)
            """, logger: logger).decode(Bool.self) {
            if inserted { added += 1 } else { changed += 1 }
        }
        if added + changed > 0 {
            try await PostgresDatasetVersion.bump(connection, "social_orgs", logger: logger)
            try await PostgresSearchIndex.analyze(connection, "social_orgs", logger: logger)
        }
        return (added, changed, organisations.count - added - changed)
    }
}
