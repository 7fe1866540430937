import Foundation
import GRDB
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengServer
import PostgresNIO
import Testing

/// `minzheng audit verify`, the real command on the world's database: intact, then after a row is edited, then
/// after one is deleted.
@Suite struct AuditVerifyTests {
    @Test func anEditedOrDeletedAuditRowIsNamed() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            for capacity in [12, 14, 16] { #expect(try await world.setCapacity(capacity, date: date, token: manager).status == .noContent) }
            let rows = try await world.services.storage.audit.auditTrail()
            #expect(rows.count == 3)

            let intact = try runCommand(["audit", "verify"], world.configuration)
            #expect(intact.status == 0 && intact.output.contains("audit chain intact: 3 rows, head \(rows[2].hash)"), "\(intact.output)")

            // Someone lowers the recorded capacity of the second change.
            try await execute(#"UPDATE audit_log SET after = replace(after, '"capacity":"14"', '"capacity":"4"') WHERE id = \#(rows[1].id)"#, world.configuration)
            let edited = try runCommand(["audit", "verify"], world.configuration)
            #expect(edited.status == 1, "\(edited.output)")
            #expect(edited.output.contains("audit row \(rows[1].id): its content does not give its hash"), "\(edited.output)")
            #expect(!edited.output.contains("audit row \(rows[0].id):"))

            // ... and then removes the first row altogether.
            try await execute("DELETE FROM audit_log WHERE id = \(rows[0].id)", world.configuration)
            let deleted = try runCommand(["audit", "verify"], world.configuration)
            #expect(deleted.status == 1)
            #expect(deleted.output.contains("audit row \(rows[1].id): its previous hash is not the hash of the row before it"), "\(deleted.output)")
        }
    }
}

/// One statement on the world's database, behind the service's back.
func execute(_ sql: String, _ configuration: ServerConfiguration) async throws {
    if let url = configuration.databaseURL {
        try await PostgresDatabase.withTemporaryPool(url: url, logger: Logger(label: "test")) { database in
            _ = try await database.client.query(PostgresQuery(unsafeSQL: sql)).collect()
        }
    } else {
        let queue = try DatabaseQueue(path: configuration.databasePath)
        try await queue.write { try $0.execute(sql: sql) }
    }
}

/// Runs the `minzheng` command with the world's configuration; its exit status and what it printed.
func runCommand(_ arguments: [String], _ configuration: ServerConfiguration) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = WorkerProcess.binary
    process.arguments = arguments
    var environment = [
        "MINZHENG_DATA_DIR": configuration.dataDirectory.path,
        "MINZHENG_SEED_DIR": configuration.seedDirectory.path,
        "MINZHENG_LOG_LEVEL": "error",
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
    ]
    environment["MINZHENG_DATABASE_URL"] = configuration.databaseURL
    environment["MINZHENG_DATABASE_SCHEMA"] = configuration.databaseSchema
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
