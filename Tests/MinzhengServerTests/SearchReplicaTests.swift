import Foundation
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengServer
import MinzhengTesting
import Testing

/// `MINZHENG_SEARCH_DATABASE_URL`: searches go to the replica named there, everything else to the database. The
/// "replica" here is a second copy of the seeded database in which one entry was renamed, so that only a search
/// that really went there can find it by its new name.
@Suite struct SearchReplicaTests {
    static let databaseURL = ProcessInfo.processInfo.environment["MINZHENG_TEST_DATABASE_URL"]

    @Test(.enabled(if: databaseURL != nil && Fixtures.postgresURLForWorlds == nil, "needs MINZHENG_TEST_DATABASE_URL"))
    func searchesGoToTheReplica() async throws {
        let url = try #require(Self.databaseURL)
        let primary = try await PostgresTemplate.shared.freshDatabase(url)
        let replica = try await PostgresTemplate.shared.freshDatabase(url)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let renamed: Int64 = try await PostgresDatabase.withTemporaryPool(url: replica, logger: logger) { database in
            var id: Int64 = 0
            for try await found in try await database.client.query("""
                UPDATE directory_entries SET name = '只在副本里的名称' WHERE id = (SELECT min(id) FROM directory_entries WHERE type = 'funeral-home')
                RETURNING id
                """, logger: logger).decode(Int64.self) {
                id = found
            }
            return id
        }
        try #require(renamed > 0)

        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = ServerConfiguration(port: 0, dataDirectory: directory, seedDirectory: Fixtures.seedDirectory)
        configuration.databaseURL = primary
        configuration.searchInDatabase = true
        configuration.secretKey = PersonalDataCipher.generateMasterKey().base64EncodedString()
        let byNewName = DirectoryQuery(type: "funeral-home", name: "只在副本")

        let onPrimary = try await Services.start(configuration, logger: logger)
        let notThere = try await closing(onPrimary.storage) { try await onPrimary.lookups.search(byNewName, page: PageRequest()) }
        #expect(notThere?.page.items.isEmpty == true)

        configuration.searchDatabaseURL = replica
        let onReplica = try await Services.start(configuration, logger: logger)
        let found = try await closing(onReplica.storage) { try await onReplica.lookups.search(byNewName, page: PageRequest()) }
        // Found by the replica; shown from the catalogue, which the database (the primary) filled.
        #expect(found?.page.items.map(\.entry.id) == [renamed])
    }
}
