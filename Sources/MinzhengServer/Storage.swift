import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengSQLite
import ServiceLifecycle
import Synchronization

/// The stores the server runs on, opened from the configuration: SQLite by default, PostgreSQL when
/// `MINZHENG_DATABASE_URL` is set. Nothing outside the two store modules knows which.
public struct Storage: Sendable {
    public let lookups: any LookupStore
    public let seeds: any SeedStore
    public let bookings: any BookingStore
    public let identities: any IdentityStore
    public let audit: any AuditStore
    public let socialOrgs: any SocialOrgSeedStore
    public let eldercare: any EldercareFeedStore
    public let notifications: any NotificationStore
    public let serviceCatalogue: any ServiceCatalogueStore
    public let applications: any ApplicationStore
    /// The SQLite database, when that is the backend (tests checkpoint it to copy the file).
    public let sqlite: SQLiteDatabase?
    /// How processes sharing the database hear each other's office changes (nil for SQLite: one process).
    public let officeChanges: (any OfficeChangeChannel)?
    /// Where look-up searches run when they run in the database (PostgreSQL with `MINZHENG_SEARCH=database`); nil: in memory.
    public let searchIndex: (any SearchIndex)?
    /// The PostgreSQL pools' run loops, when that is the backend: the database's, and a replica's for searches.
    private let postgresPools: [Task<Void, Never>]

    /// Opens (and migrates) the configured database.
    public static func open(_ configuration: ServerConfiguration, logger: Logger) async throws -> Storage {
        if let url = configuration.databaseURL { return try await openPostgres(url: url, schema: configuration.databaseSchema, configuration, logger: logger) }
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try SQLiteDatabase(path: configuration.databasePath)
        let lookups = SQLiteLookupStore(database)
        let bookings = SQLiteBookingStore(database, policy: configuration.notifyPolicy)
        return Storage(lookups: lookups, seeds: lookups, bookings: bookings, identities: SQLiteIdentityStore(database), audit: bookings,
                       socialOrgs: SQLiteSocialOrgStore(database), eldercare: SQLiteEldercareStore(database),
                       notifications: SQLiteNotificationStore(database), serviceCatalogue: SQLiteServiceCatalogueStore(database),
                       applications: SQLiteApplicationStore(database), sqlite: database, officeChanges: nil, searchIndex: nil,
                       postgresPools: [])
    }

    /// The pool runs for as long as the process (or until `close`); migrations run under an advisory lock, so
    /// instances starting together (and `notify-worker`) wait for one another and run each migration once.
    private static func openPostgres(url: String, schema: String?, _ configuration: ServerConfiguration, logger: Logger) async throws -> Storage {
        if let schema { try await PostgresDatabase.createSchema(url: url, schema, logger: logger) }
        let database = try PostgresDatabase(url: url, schema: schema, logger: logger)
        // Searches may go to a read replica; it gets the primary's migrations by replication.
        let replica = try configuration.searchDatabaseURL.map { try PostgresDatabase(url: $0, schema: schema, logger: logger) }
        let pool = database.startRunning()
        do {
            try await database.migrate()
        } catch {
            pool.cancel()
            throw error
        }
        var pools = [pool]
        if let replica { pools.append(replica.startRunning()) }
        let searchIndex = configuration.searchInDatabase ? PostgresSearchIndex(replica ?? database) : nil
        let lookups = PostgresLookupStore(database)
        let bookings = PostgresBookingStore(database, policy: configuration.notifyPolicy)
        return Storage(lookups: lookups, seeds: lookups, bookings: bookings, identities: PostgresIdentityStore(database), audit: bookings,
                       socialOrgs: PostgresSocialOrgStore(database), eldercare: PostgresEldercareStore(database),
                       notifications: PostgresNotificationStore(database), serviceCatalogue: PostgresServiceCatalogueStore(database),
                       applications: PostgresApplicationStore(database), sqlite: nil,
                       officeChanges: PostgresOfficeChanges(database), searchIndex: searchIndex, postgresPools: pools)
    }

    /// Closes the PostgreSQL pools and waits, at most `limit`, until their connections are closed (a process that ends
    /// needs not call it). The bound: PostgresNIO 1.33's pool has been seen, about once in a dozen test runs, never to
    /// finish its shutdown although every connection was closed; everything was committed by then, so nothing is lost
    /// by going on, and a command or a test must not wait for ever.
    public func close(waitingAtMost limit: Duration = .seconds(15)) async {
        guard !postgresPools.isEmpty else { return }
        let pools = postgresPools
        for pool in pools { pool.cancel() }
        // Whichever comes first; the other's answer is dropped (if the pool never ends, its waiter stays suspended).
        let finished = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let once = FirstAnswer(continuation)
            Task {
                for pool in pools { await pool.value }
                once.answer(true)
            }
            Task { try? await Task.sleep(for: limit); once.answer(false) }
        }
        if !finished { Self.closeLogger.warning("the PostgreSQL pool did not finish closing within \(limit); going on without it") }
    }

    private static let closeLogger = Logger(label: "minzheng.storage")

    /// Resumes a continuation with the first answer given; later ones are dropped.
    private final class FirstAnswer: Sendable {
        private let continuation: Mutex<CheckedContinuation<Bool, Never>?>
        init(_ continuation: CheckedContinuation<Bool, Never>) { self.continuation = Mutex(continuation) }
        func answer(_ value: Bool) { continuation.withLock { $0.take() }?.resume(returning: value) }
    }

    /// Which database this is, for the log.
    public var backend: String { sqlite == nil ? "postgresql" : "sqlite" }

    /// What the storage needs done in the background by a process that keeps writing to it (`serve`,
    /// `notify-worker`): SQLite's log checkpoints. Made only for those, as its connection would sit idle elsewhere.
    public func upkeep(logger: Logger) throws -> [any Service] {
        guard let sqlite else { return [] }
        return [PeriodicJob.walCheckpoints(try WALCheckpointer(sqlite), logger: logger)]
    }

    /// Imports the seed files unless this very set was imported before.
    public func seed(from directory: URL, logger: Logger) async throws {
        let seed = try SeedSet.load(from: directory)
        let wrote = try await seeds.importSeed(seed)
        logger.info(wrote ? "seed data imported" : "seed data already current", metadata: [
            "seed.divisions": "\(seed.divisions.count)", "seed.entries": "\(seed.entries.count)",
        ])
        // Social organisations and eldercare facilities (sample data), each once per file content; a seed
        // directory without them (a deployment that imports the province's feeds instead) is fine.
        let divisions = Set(seed.divisions.map(\.code))
        if let orgs = try Self.optionalFile(directory.appendingPathComponent("social-orgs.csv")) {
            try await socialOrgs.importSeed(checksum: DataFeed.checksum(orgs)) {
                let feed = SocialOrgFeed(data: orgs, divisions: divisions)
                if let first = feed.rejections.first { throw SeedError(file: "social-orgs.csv", line: first.line, reason: first.reason) }
                return feed.organisations
            }
        }
        try await seedServiceCatalogue(from: directory, divisions: divisions)
        if let facilities = try Self.optionalFile(directory.appendingPathComponent("eldercare-facilities.csv")) {
            try await eldercare.importSeed(checksum: DataFeed.checksum(facilities)) {
                let feed = EldercareFeed(data: facilities, divisions: divisions)
                if let first = feed.rejections.first { throw SeedError(file: "eldercare-facilities.csv", line: first.line, reason: first.reason) }
                return feed.facilities
            }
        }
    }

    /// The service catalogue's three files, once per content; refused whole (nothing written) when any is wrong or
    /// the levels' shared attributes drift.
    private func seedServiceCatalogue(from directory: URL, divisions: Set<DivisionCode>) async throws {
        var files: [Data] = []
        for name in ServiceCatalogueFeed.fileNames {
            guard let data = try Self.optionalFile(directory.appendingPathComponent(name)) else { return }
            files.append(data)
        }
        try await serviceCatalogue.importServiceCatalogue(checksum: DataFeed.checksum(files.reduce(Data(), +))) {
            try ServiceCatalogueFeed.parse(items: files[0], publications: String(decoding: files[1], as: UTF8.self),
                                           halls: String(decoding: files[2], as: UTF8.self), divisions: divisions)
        }
    }

    private static func optionalFile(_ url: URL) throws -> Data? {
        FileManager.default.fileExists(atPath: url.path) ? try Data(contentsOf: url) : nil
    }
}

/// The master key for personal data: `MINZHENG_SECRET_KEY` (base64 of 32 bytes), else `secret.key` in the
/// data directory, made on first start with owner-only permissions.
enum SecretKey {
    static func load(_ configuration: ServerConfiguration) throws -> Data {
        if let text = configuration.secretKey {
            guard let key = Data(base64Encoded: text), key.count == 32 else {
                throw ConfigurationError("MINZHENG_SECRET_KEY must be 32 bytes in base64 (openssl rand -base64 32)")
            }
            return key
        }
        let file = configuration.dataDirectory.appendingPathComponent("secret.key")
        if FileManager.default.fileExists(atPath: file.path) {
            // A key that exists but cannot be read is an error, never a reason to make a new one:
            // a new key would orphan every encrypted field and look-up hash already stored.
            let text = String(decoding: try Data(contentsOf: file), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let key = Data(base64Encoded: text), key.count == 32 else {
                throw ConfigurationError("\(file.path) is not a base64 key of 32 bytes")
            }
            return key
        }
        let key = PersonalDataCipher.generateMasterKey()
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        // O_EXCL: if another process made the key meanwhile, fail rather than overwrite it.
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw ConfigurationError("cannot create \(file.path) (errno \(errno)); start again to read it") }
        defer { close(descriptor) }
        let bytes = Array(key.base64EncodedString().utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw ConfigurationError("cannot write \(file.path)")
        }
        return key
    }
}
