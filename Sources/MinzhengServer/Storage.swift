import Foundation
import Logging
import MinzhengCore
import MinzhengSQLite

/// The stores the server runs on, opened from the configuration.
public struct Storage: Sendable {
    public let lookups: any LookupStore
    public let seeds: any SeedStore

    /// Opens (and migrates) the SQLite database in the data directory.
    public static func open(_ configuration: ServerConfiguration) throws -> Storage {
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try SQLiteDatabase(path: configuration.databasePath)
        let store = SQLiteLookupStore(database)
        return Storage(lookups: store, seeds: store)
    }

    /// Imports the seed files unless this very set was imported before.
    public func seed(from directory: URL, logger: Logger) async throws {
        let seed = try SeedSet.load(from: directory)
        let wrote = try await seeds.importSeed(seed)
        logger.info(wrote ? "seed data imported" : "seed data already current", metadata: [
            "seed.divisions": "\(seed.divisions.count)", "seed.entries": "\(seed.entries.count)",
        ])
    }
}
