import Foundation
import GRDB
import MinzhengCore

/// The registry of social organisations in SQLite.
public struct SQLiteSocialOrgStore: SocialOrgSeedStore {
    private let pool: DatabasePool

    public init(_ database: SQLiteDatabase) { pool = database.pool }

    public func socialOrgs() async throws -> [SocialOrg] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM social_orgs").map { row in
                // As imported: a code from before the organisation-code check was made is still read (and found).
                guard let code = try? CreditCode(row["code"] as String, checkingOrganisationCode: false), let kind = SocialOrg.Kind(rawValue: row["kind"]),
                    let status = SocialOrg.Status(rawValue: row["status"]), let division = DivisionCode(row["division_code"] as String),
                    let registeredOn = LocalDate(iso: row["registered_on"] as String),
                    let inspections = SocialOrgFeed.parseInspections(row["inspections"]),
                    let entries = SocialOrgFeed.parseListEntries(row["list_entries"])
                else { throw DatabaseError(message: "social_orgs has an unreadable row: \(row["code"] as String)") }
                return SocialOrg(code: code, name: row["name"], kind: kind, status: status, authority: row["authority"], division: division,
                                 registeredOn: registeredOn, legalRepresentative: row["legal_representative"], address: row["address"],
                                 phone: row["phone"], inspections: inspections, listEntries: entries)
            }
        }
    }

    public func upsert(_ organisations: [SocialOrg]) async throws -> (added: Int, changed: Int, unchanged: Int) {
        try await pool.write { db in try Self.upsert(db, organisations) }
    }

    private static func upsert(_ db: Database, _ organisations: [SocialOrg]) throws -> (added: Int, changed: Int, unchanged: Int) {
        var counts = (added: 0, changed: 0, unchanged: 0)
        // Only rows whose content differs are written, so an import of the same feed changes nothing.
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO social_orgs (code, name, kind, status, authority, division_code, registered_on, legal_representative,
                                     address, phone, inspections, list_entries, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, status = excluded.status,
                authority = excluded.authority, division_code = excluded.division_code, registered_on = excluded.registered_on,
                legal_representative = excluded.legal_representative, address = excluded.address, phone = excluded.phone,
                inspections = excluded.inspections, list_entries = excluded.list_entries, updated_at = excluded.updated_at
            WHERE (name, kind, status, authority, division_code, registered_on, legal_representative, address, phone,
                   inspections, list_entries)
               IS NOT (excluded.name, excluded.kind, excluded.status, excluded.authority, excluded.division_code,
                       excluded.registered_on, excluded.legal_representative, excluded.address, excluded.phone,
                       excluded.inspections, excluded.list_entries)
            """)
        let exists = try db.cachedStatement(sql: "SELECT 1 FROM social_orgs WHERE code = ?")
        let now = Date().timeIntervalSince1970
        for organisation in organisations {
            let existed = try Bool.fetchOne(exists, arguments: [organisation.code.value]) ?? false
            try upsert.execute(arguments: [
                organisation.code.value, organisation.name, organisation.kind.rawValue, organisation.status.rawValue,
                organisation.authority, organisation.division.rawValue, organisation.registeredOn.description,
                organisation.legalRepresentative, organisation.address, organisation.phone,
                SocialOrgFeed.text(organisation.inspections), SocialOrgFeed.text(organisation.listEntries), now,
            ])
            if !existed { counts.added += 1 } else if db.changesCount > 0 { counts.changed += 1 } else { counts.unchanged += 1 }
        }
        if counts.added + counts.changed > 0 { try DatasetVersion.bump(db, "social_orgs") }
        return counts
    }

    public func version() async throws -> Int64 {
        try await pool.read { db in try DatasetVersion.current(db, "social_orgs") }
    }

    /// Imports the seed file's organisations once per file content (`parse` runs only for a new file).
    @discardableResult
    public func importSeed(checksum: String, _ parse: () throws -> [SocialOrg]) async throws -> Bool {
        let key = "social-orgs:" + checksum
        guard try await !SeedLedger.done(pool, key) else { return false }
        let organisations = try parse()
        return try await pool.write { db in
            guard try SeedLedger.claim(db, key) else { return false }  // another process got there first
            _ = try Self.upsert(db, organisations)
            return true
        }
    }
}

/// The version counters of the imported data sets (`dataset_versions`).
enum DatasetVersion {
    static func bump(_ db: Database, _ name: String) throws {
        try db.execute(sql: "INSERT INTO dataset_versions (name, version) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET version = version + 1",
                       arguments: [name])
    }

    static func current(_ db: Database, _ name: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT version FROM dataset_versions WHERE name = ?", arguments: [name]) ?? 0
    }
}
