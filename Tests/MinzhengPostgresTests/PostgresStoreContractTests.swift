import Foundation
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengTesting
import Testing

/// The store contracts against a real PostgreSQL server: `make test` starts a throwaway cluster and sets
/// MINZHENG_TEST_DATABASE_URL (and MINZHENG_REQUIRE_POSTGRES=1, so that a missing server fails rather than skips).
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment["MINZHENG_TEST_DATABASE_URL"]
    static let required = ProcessInfo.processInfo.environment["MINZHENG_REQUIRE_POSTGRES"] == "1"

    /// Runs `body` with a migrated database in a schema of its own.
    static func withDatabase(_ body: @escaping @Sendable (PostgresDatabase) async throws -> Void) async throws {
        let url = try #require(url, "MINZHENG_TEST_DATABASE_URL is not set")
        let logger = Logger(label: "postgres-test")
        let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await PostgresDatabase.createSchema(url: url, schema, logger: logger)
        try await PostgresDatabase.withTemporaryPool(url: url, schema: schema, logger: logger) { database in
            try await database.migrate()
            try await body(database)
        }
    }
}

@Suite(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.required, "no PostgreSQL server (make test starts one)"))
struct PostgresIdentityStoreContractTests {
    @Test func keepsTheIdentityStoreContract() async throws {
        try await PostgresTestServer.withDatabase { database in
            // Staff rows name a division: give the database the division codes the contract uses.
            try await database.client.query(
                "INSERT INTO divisions (code, name) VALUES ('32', '江苏省'), ('3201', '南京市'), ('3202', '无锡市'), ('33', '浙江省')",
                logger: Logger(label: "test"))
            let store = PostgresIdentityStore(database)
            try await IdentityStoreContract.run(store, audit: store)
        }
    }

    @Test func migrationsRunOnceWhenInstancesStartTogether() async throws {
        try await PostgresTestServer.withDatabase { database in
            // Three more instances start at once on the migrated schema: nothing fails, nothing runs twice.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { try await database.migrate() } }
                try await group.waitForAll()
            }
            var applied: [String] = []
            for try await name in try await database.client.query("SELECT name FROM schema_migrations ORDER BY name", logger: Logger(label: "test"))
                .decode(String.self) {
                applied.append(name)
            }
            #expect(applied == PostgresDatabase.migrationNames)
        }
    }
}

@Suite(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.required, "no PostgreSQL server (make test starts one)"))
struct PostgresLookupStoreContractTests {
    @Test func keepsTheLookupStoreContract() async throws {
        try await PostgresTestServer.withDatabase { database in
            try await LookupStoreContract.run(PostgresLookupStore(database))
        }
    }
}

@Suite(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.required, "no PostgreSQL server (make test starts one)"))
struct PostgresSocialOrgStoreContractTests {
    @Test func keepsTheSocialOrgStoreContract() async throws {
        try await PostgresTestServer.withDatabase { database in
            try await PostgresLookupStore(database).importSeed(try SeedSet.load(from: Fixtures.seedDirectory))
            try await SocialOrgStoreContract.run(PostgresSocialOrgStore(database))
        }
    }
}

@Suite(.enabled(if: PostgresTestServer.url != nil || PostgresTestServer.required, "no PostgreSQL server (make test starts one)"))
struct PostgresApplicationStoreContractTests {
    @Test func keepsTheApplicationStoreContract() async throws {
        try await PostgresTestServer.withDatabase { database in
            try await PostgresLookupStore(database).importSeed(try SeedSet.load(from: Fixtures.seedDirectory))  // the staff member's division
            let clerk = try await PostgresIdentityStore(database).createStaff(username: "nj-clerk", passwordHash: "h", role: .clerk,
                                                                              division: DivisionCode("3201")!, now: Date(), audit: nil)
            try await ApplicationStoreContract.run(PostgresApplicationStore(database), catalogue: PostgresServiceCatalogueStore(database),
                                                   staffID: clerk.id)
        }
    }
}
