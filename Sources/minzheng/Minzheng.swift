import ArgumentParser
import Foundation
import Logging
import MinzhengServer

@main
struct Minzheng: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "minzheng — the backend of the province's Internet + civil affairs services.",
        subcommands: [Serve.self, NotifyWorker.self, Migrate.self, Seed.self, Import.self, Clients.self, Staff.self, Audit.self, Catalogue.self, CopyToPostgres.self],
        defaultSubcommand: Serve.self)
}

/// Reads the configuration and sets up logging the same way for every command.
func startup(_ label: String) throws -> (ServerConfiguration, Logger) {
    let configuration = try ServerConfiguration()
    var logger = Logger(label: label)
    logger.logLevel = configuration.logLevel
    return (configuration, logger)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Migrate, seed and serve the API.")

    func run() async throws {
        let (configuration, logger) = try startup("minzheng.serve")
        let app = try await buildApplication(configuration, logger: logger)
        try await app.runService()
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date.")

    func run() async throws {
        let (configuration, logger) = try startup("minzheng.migrate")
        let storage = try await Storage.open(configuration, logger: logger)
        logger.info("database migrated", metadata: ["db.backend": "\(storage.backend)"])
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import the seed data (MINZHENG_SEED_DIR) unless already imported.")

    func run() async throws {
        let (configuration, logger) = try startup("minzheng.seed")
        try await Storage.open(configuration, logger: logger).seed(from: configuration.seedDirectory, logger: logger)
    }
}

struct NotifyWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notify-worker",
        abstract: "Deliver the outbox's events to their webhooks, without serving the API (beside `serve` with MINZHENG_NOTIFY_WORKER=off).")

    func run() async throws {
        let (configuration, logger) = try startup("minzheng.notify")
        let services = try await Services.start(configuration, logger: logger)
        try await runUntilSignalled([services.deliveryWorker] + services.storage.upkeep(logger: logger), logger: logger)
    }
}

struct CopyToPostgres: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-to-postgres",
        abstract: "Copy an SQLite installation into the empty PostgreSQL database of MINZHENG_DATABASE_URL (stop the old service first).")
    @Option(help: "The SQLite file, e.g. data/minzheng.sqlite.") var sqlite: String

    func run() async throws {
        let (configuration, logger) = try startup("minzheng.copy")
        let report = try await DatabaseCopy.copy(sqlitePath: sqlite, to: configuration, logger: logger)
        for (table, count) in report.rows { print("\(table)\t\(count)") }
    }
}
