import Foundation
import Logging
import PostgresNIO

/// The process's connection pool to PostgreSQL (`MINZHENG_DATABASE_URL=postgres://user:password@host:port/db`).
/// The pool must be running (`startRunning()`) while it is used.
public struct PostgresDatabase: Sendable, CustomStringConvertible {
    public let client: PostgresClient
    let logger: Logger

    /// `schema` (tests): every connection works in that schema, made if missing.
    public init(url: String, schema: String? = nil, logger: Logger) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, let user = components.user
        else { throw PostgresDatabaseError("MINZHENG_DATABASE_URL must look like postgres://user:password@host:port/database") }
        let database = components.path.split(separator: "/").first.map(String.init)
        var configuration = PostgresClient.Configuration(host: host, port: components.port ?? 5432, username: user,
                                                         password: components.password, database: database, tls: .disable)
        if let schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    /// Starts the pool in a task of its own and returns that task (cancel it to stop the pool). `Task.immediate`:
    /// the pool counts as running before this returns, so a query right after does not find it "not running yet"
    /// (PostgresNIO then logs a warning at every start, although the query only waits).
    public func startRunning() -> Task<Void, Never> {
        Task.immediate { await client.run() }
    }

    public var description: String { "PostgresDatabase" }

    /// A schema or database name that needs no quoting (`[a-z_][a-z0-9_]*`): the only ones this code puts into SQL.
    public static func isPlainName(_ name: String) -> Bool {
        guard let first = name.first, first == "_" || ("a"..."z").contains(first), name.count <= 63 else { return false }
        return name.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Why `url` asks for something this pool does not do, or nil. TLS is not configured yet: a URL that asks for it
    /// (`sslmode=require` and the like) is refused rather than silently sent in the clear.
    public static func unsupported(url: String) -> String? {
        let mode = URLComponents(string: url)?.queryItems?.first { $0.name == "sslmode" }?.value
        guard let mode, mode != "disable" else { return nil }
        return "MINZHENG_DATABASE_URL asks for sslmode=\(mode): TLS to PostgreSQL is not supported yet (keep the database on a private network)"
    }

    /// Brings the schema up to date: numbered, append-only migrations, all that are pending in one transaction
    /// (all or none), under an advisory lock so that instances starting together run each one once.
    public func migrate() async throws {
        try await client.transaction(logger: logger) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(7426001)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            for migration in PostgresMigrations.all where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", logger: logger)
            }
        }
    }

    /// The migrations this build knows, in order.
    public static var migrationNames: [String] { PostgresMigrations.all.map(\.name) }

    /// Makes database `name` as a copy of `template` (a file copy: much faster than migrating and seeding
    /// again; the template must have no open connections). Tests give each world its own copy of a seeded one.
    /// The pool must be running (see `run`).
    public func createDatabase(_ name: String, template: String) async throws {
        guard Self.isPlainName(name), Self.isPlainName(template) else { throw PostgresDatabaseError("not a plain database name: \(name), \(template)") }
        try await client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(name)\" TEMPLATE \"\(template)\""), logger: logger)
    }

    /// `url` with its database replaced by `name`.
    public static func url(_ url: String, database name: String) -> String? {
        guard var components = URLComponents(string: url) else { return nil }
        components.path = "/" + name
        return components.string
    }

    /// Makes `schema` (tests run each in a schema of their own).
    public static func createSchema(url: String, _ schema: String, logger: Logger) async throws {
        guard isPlainName(schema) else { throw PostgresDatabaseError("not a plain schema name: \(schema)") }
        try await withTemporaryPool(url: url, logger: logger) { database in
            _ = try await database.client.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(schema)\""), logger: logger).collect()
        }
    }

    /// Runs `body` with a pool of its own, then stops the pool without waiting for its shutdown to finish (see
    /// `Storage.close`: that wait has been seen never to end; the pool's connections close regardless).
    public static func withTemporaryPool<T: Sendable>(url: String, schema: String? = nil, logger: Logger,
                                                      _ body: (PostgresDatabase) async throws -> T) async throws -> T {
        let database = try PostgresDatabase(url: url, schema: schema, logger: logger)
        let pool = database.startRunning()
        defer { pool.cancel() }
        return try await body(database)
    }
}

public struct PostgresDatabaseError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension PostgresClient {
    /// One transaction (READ COMMITTED), for every store. When PostgreSQL breaks a lock cycle by rolling a
    /// transaction back (40P01), it runs again, three times at most. What the closure throws comes out unwrapped,
    /// so a domain refusal stays a refusal.
    func transaction<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withTransaction(logger: logger) { connection in try await body(connection) }
            } catch where error.sqlState == "40P01" && attempt < 3 {
                attempt += 1
                logger.notice("transaction rolled back to break a deadlock; running it again", metadata: ["postgres.attempt": "\(attempt)"])
            } catch {
                throw error.unwrapped
            }
        }
    }

    /// Reads that must agree with one another, as in one SQLite read transaction: REPEATABLE READ, READ ONLY.
    func snapshot<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await transaction(logger: logger) { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            return try await body(connection)
        }
    }
}

extension PostgresConnection {
    /// Runs a statement whose rows are not wanted (a lock) to its end: a row stream dropped unread throws its
    /// error away, and a deadlock would then surface only as "transaction aborted" on the next statement.
    func run(_ query: PostgresQuery, logger: Logger) async throws {
        _ = try await self.query(query, logger: logger).collect()
    }
}

extension Error {
    /// The constraint (for a unique violation, the index) a PostgreSQL error names, looking through the transaction wrapper.
    var constraintName: String? {
        if let error = self as? PostgresTransactionError { return error.closureError?.constraintName }
        return (self as? PSQLError)?.serverInfo?[.constraintName]
    }

    /// The SQLSTATE of a PostgreSQL error, looking through the transaction wrapper (`23505`: unique violation).
    var sqlState: String? {
        if let error = self as? PostgresTransactionError { return error.closureError?.sqlState }
        return (self as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// What the transaction's closure threw (a domain refusal), or the error itself.
    var unwrapped: any Error {
        (self as? PostgresTransactionError)?.closureError ?? self
    }
}

/// Which seed files were imported (`seed_imports`), so each is imported once per content, by one process.
enum PostgresSeedLedger {
    static func done(_ client: PostgresClient, _ key: String, logger: Logger) async throws -> Bool {
        for try await _ in try await client.query("SELECT 1 FROM seed_imports WHERE checksum = \(key)", logger: logger).decode(Int.self) {
            return true
        }
        return false
    }

    /// Imports a seed file once per content: `parse` runs only for a key not yet taken, `write` in the transaction
    /// that takes it. False when it was imported before (or by another process meanwhile).
    static func importOnce<Payload>(_ client: PostgresClient, key: String, logger: Logger, parse: () throws -> Payload,
                                 write: (PostgresConnection, Payload) async throws -> Void) async throws -> Bool {
        guard try await !done(client, key, logger: logger) else { return false }
        let payload = try parse()
        return try await client.transaction(logger: logger) { connection in
            guard try await claim(connection, key, logger: logger) else { return false }
            try await write(connection, payload)
            return true
        }
    }

    /// True when this transaction took the key; another process importing the same file waits on the key's row,
    /// then finds it taken.
    static func claim(_ connection: PostgresConnection, _ key: String, logger: Logger) async throws -> Bool {
        for try await _ in try await connection.query("""
            INSERT INTO seed_imports (checksum, imported_at) VALUES (\(key), \(Date().timeIntervalSince1970))
            ON CONFLICT (checksum) DO NOTHING RETURNING 1
            """, logger: logger).decode(Int.self) {
            return true
        }
        return false
    }
}

/// The version counters of the imported data sets (`dataset_versions`), as SQLite's `DatasetVersion`.
enum PostgresDatasetVersion {
    static func current(_ client: PostgresClient, _ name: String, logger: Logger) async throws -> Int64 {
        for try await version in try await client.query("SELECT version FROM dataset_versions WHERE name = \(name)", logger: logger)
            .decode(Int64.self) {
            return version
        }
        return 0
    }

    static func bump(_ connection: PostgresConnection, _ name: String, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO dataset_versions (name, version) VALUES (\(name), 1)
            ON CONFLICT (name) DO UPDATE SET version = dataset_versions.version + 1
            """, logger: logger)
    }
}
