import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import MinzhengPostgres
import MinzhengServer
import MinzhengTesting
import NIOCore
import Testing

/// A new data directory holding a copy of a database migrated and seeded with the shipped seed data. The copy
/// is made once per test run (the seed import itself is tested elsewhere): a fresh import costs every test a second.
func seededDirectory() async throws -> URL {
    let template = try await SeededTemplate.shared.directory()
    let directory = try Fixtures.temporaryDirectory()
    try FileManager.default.copyItem(at: template.appendingPathComponent("minzheng.sqlite"), to: directory.appendingPathComponent("minzheng.sqlite"))
    return directory
}

/// Made by the first test that asks; the others wait for that same task (an actor alone would let each caller
/// start its own while the first one awaits).
actor SeededTemplate {
    static let shared = SeededTemplate()
    private var making: Task<URL, any Error>?

    func directory() async throws -> URL {
        if let making { return try await making.value }
        let task = Task {
            let directory = try Fixtures.temporaryDirectory("minzheng-template")
            var logger = Logger(label: "test")
            logger.logLevel = .warning
            let storage = try await Storage.open(ServerConfiguration(port: 0, dataDirectory: directory, seedDirectory: Fixtures.seedDirectory),
                                                 logger: logger)
            try await storage.seed(from: Fixtures.seedDirectory, logger: logger)
            try storage.sqlite?.checkpoint()
            return directory
        }
        making = task
        return try await task.value
    }
}

/// A configuration for one test's world: a fresh data directory, and on PostgreSQL a fresh database copied
/// from one seeded once per test run.
func testConfiguration(_ directory: URL) async throws -> ServerConfiguration {
    var configuration = ServerConfiguration(port: 0, dataDirectory: directory, seedDirectory: Fixtures.seedDirectory)
    // The worlds' races send dozens of attempts per citizen and couple at once; LimitsTests sets the limits it proves.
    configuration.rateLimits.bookingAttempts = nil
    configuration.rateLimits.perCitizen = .init(perSecond: 100_000, burst: 100_000)
    if let url = Fixtures.postgresURLForWorlds {
        configuration.databaseURL = try await watched("a copy of the template database") { try await PostgresTemplate.shared.freshDatabase(url) }
        // The PostgreSQL pass searches in the database, the SQLite pass in memory: every look-up test runs on both.
        configuration.searchInDatabase = true
    }
    return configuration
}

/// The PostgreSQL twin of `SeededTemplate`: a database migrated and seeded once, copied for every world. One
/// pool to the server's maintenance database makes the copies, one at a time, for the whole test run (starting
/// and stopping a pool per copy, under load, once left a test run waiting for ever).
actor PostgresTemplate {
    static let shared = PostgresTemplate()
    private var admin: PostgresDatabase?
    private var template: Task<String, any Error>?
    private var lastCopy: Task<Void, any Error>?

    /// A copy of the seeded template; `empty`: a new database with nothing in it.
    func freshDatabase(_ url: String, empty: Bool = false) async throws -> String {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let admin = try adminDatabase(url, logger: logger)
        if template == nil {
            template = Task {
                let name = Fixtures.freshDatabaseName()
                try await admin.createDatabase(name, template: "template1")
                var configuration = ServerConfiguration(port: 0, dataDirectory: try Fixtures.temporaryDirectory(), seedDirectory: Fixtures.seedDirectory)
                // Typed: with the optional `databaseURL` as the target, #require would check a wrapped optional.
                let templateURL: String = try #require(PostgresDatabase.url(url, database: name))
                configuration.databaseURL = templateURL
                let storage = try await Storage.open(configuration, logger: logger)
                try await storage.seed(from: Fixtures.seedDirectory, logger: logger)
                await storage.close()
                return name
            }
        }
        let source = empty ? "template1" : try await template!.value
        let name = Fixtures.freshDatabaseName()
        // One copy at a time: a copy needs its template to itself.
        let previous = lastCopy
        let copy = Task {
            _ = try? await previous?.value
            try await admin.createDatabase(name, template: source)
        }
        lastCopy = copy
        try await copy.value
        return try #require(PostgresDatabase.url(url, database: name))
    }

    private func adminDatabase(_ url: String, logger: Logger) throws -> PostgresDatabase {
        if let admin { return admin }
        let database = try PostgresDatabase(url: url, logger: logger)
        _ = database.startRunning()  // for the rest of the test run
        admin = database
        return database
    }
}

/// Runs `body`; if it has not finished after `seconds`, says so on the output (a test that waits for ever
/// then names the step it waits in).
func watched<T>(_ step: String, seconds: Int = 90, _ body: () async throws -> T) async rethrows -> T {
    let watchdog = Task {
        try await Task.sleep(for: .seconds(seconds))
        print("⚠︎ still waiting after \(seconds) s: \(step)")
    }
    defer { watchdog.cancel() }
    return try await body()
}

/// Runs `body`, then closes the storage's connections (also when `body` throws).
func closing<T>(_ storage: Storage, _ body: () async throws -> T) async throws -> T {
    do {
        let value = try await body()
        await storage.close()
        return value
    } catch {
        await storage.close()
        throw error
    }
}

/// Runs `body` against the real application on a fresh SQLite file with the shipped seed data.
func withApp(renderedLookups: Bool = true, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
    let directory = try await seededDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var logger = Logger(label: "test")
    logger.logLevel = .warning
    var configuration = try await testConfiguration(directory)
    configuration.renderedLookups = renderedLookups
    let services = try await Services.start(configuration, logger: logger)
    try await closing(services.storage) {
        let app = try buildApplication(configuration, services: services, logger: logger)
        try await app.test(.router, body)
    }
}

extension TestClientProtocol {
    /// GET `path` (non-ASCII is percent-encoded here) and return the response.
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["+"])) ?? path
        return try await execute(uri: encoded, method: .get, headers: headers)
    }

    /// GET `path`, expect 200, decode the JSON body.
    func getJSON<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        let response = try await get(path)
        #expect(response.status == .ok, "GET \(path): \(String(buffer: response.body))")
        return try JSONDecoder().decode(T.self, from: Data(buffer: response.body))
    }
}

struct ListPage<Item: Decodable>: Decodable {
    let items: [Item]
    let next_cursor: String?
}

struct DivisionBody: Decodable, Equatable {
    let code: String
    let name: String
    let level: String
    let parent_code: String?
}

struct EntryBody: Decodable {
    struct Location: Decodable { let lat: Double; let lng: Double }
    let id: Int64
    let type: String
    let name: String
    let division_code: String
    let address: String
    let location: Location
    let distance_m: Int64?
}

struct ProblemBody: Decodable {
    let type: String
    let title: String
    let status: Int
    let code: String
    let detail: String?
}
