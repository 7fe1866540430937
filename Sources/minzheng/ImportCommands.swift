import ArgumentParser
import Foundation
import MinzhengCore
import MinzhengServer

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a data feed (CSV): all rows or none; rejected rows are listed with their line and reason.",
        subcommands: [SocialOrgs.self, Eldercare.self])

    struct SocialOrgs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "social-orgs", abstract: "Social organisations; the columns are described in seed-data/README.md.")
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let (configuration, logger) = try startup("minzheng.import")
            let storage = try await Storage.open(configuration, logger: logger)
            let divisions = Set(try await storage.lookups.divisions().map(\.code))
            let service = SocialOrgService(store: storage.socialOrgs)
            try await service.reload()
            let feed = try SocialOrgFeed.load(URL(fileURLWithPath: file), divisions: divisions, registered: Set(service.registry.all.map(\.code)))
            let outcome = try await service.importFeed(feed)
            try report(outcome.rejections, done: "\(outcome.added) added, \(outcome.changed) changed, \(outcome.unchanged) unchanged")
            logger.info("social organisations imported", metadata: ["import.file": "\(file)", "import.rows": "\(feed.organisations.count)"])
        }
    }

    struct Eldercare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Eldercare facilities; stored facilities keep their free beds. Columns: seed-data/README.md.")
        @Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let (configuration, logger) = try startup("minzheng.import")
            let storage = try await Storage.open(configuration, logger: logger)
            let divisions = Set(try await storage.lookups.divisions().map(\.code))
            let feed = try EldercareFeed.load(URL(fileURLWithPath: file), divisions: divisions)
            guard feed.rejections.isEmpty else { return try report(feed.rejections, done: "") }
            try await storage.eldercare.upsert(feed.facilities)
            try report([], done: "\(feed.facilities.count) facilities imported (stored ones keep their free beds)")
        }
    }
}

/// Prints the outcome; with rejections, lists them on standard error and fails (nothing was written).
private func report(_ rejections: [DataFeed.Rejection], done: String) throws {
    guard rejections.isEmpty else {
        for rejection in rejections.prefix(1000) { FileHandle.standardError.write(Data("\(rejection)\n".utf8)) }
        if rejections.count > 1000 { FileHandle.standardError.write(Data("... and \(rejections.count - 1000) more\n".utf8)) }
        FileHandle.standardError.write(Data("\(rejections.count) row(s) rejected; nothing was imported\n".utf8))
        throw ExitCode(2)
    }
    print(done)
}
