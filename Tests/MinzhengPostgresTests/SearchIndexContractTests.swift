import Foundation
import MinzhengCore
import MinzhengPostgres
import MinzhengTesting
import Testing

/// PostgreSQL's searches (pg_trgm, GiST, migration 0009) against the in-memory catalogues SQLite is served from, on
/// the shipped seed data: page for page the same.
@Suite(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.required, "no PostgreSQL server (make test starts one)"))
struct SearchIndexContractTests {
    @Test func answersAsTheCataloguesDo() async throws {
        try await PostgresTestServer.withDatabase { database in
            let lookups = PostgresLookupStore(database)
            let seed = try SeedSet.load(from: Fixtures.seedDirectory)
            try await lookups.importSeed(seed)
            let divisions = Set(seed.divisions.map(\.code))
            let socialOrgs = PostgresSocialOrgStore(database)
            _ = try await socialOrgs.upsert(SocialOrgFeed(data: try Self.seedFile("social-orgs.csv"), divisions: divisions).organisations)
            let eldercare = PostgresEldercareStore(database)
            try await eldercare.upsert(EldercareFeed(data: try Self.seedFile("eldercare-facilities.csv"), divisions: divisions).facilities)
            try await SearchIndexContract.run(PostgresSearchIndex(database), lookups: lookups, socialOrgs: socialOrgs, eldercare: eldercare)
        }
    }

    static func seedFile(_ name: String) throws -> Data { try Data(contentsOf: Fixtures.seedDirectory.appendingPathComponent(name)) }
}
