import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// The service catalogue in PostgreSQL: the same contract as `SQLiteServiceCatalogueStore`.
public struct PostgresServiceCatalogueStore: ServiceCatalogueStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    /// The three tables from one snapshot, as SQLite's one read transaction gives: never old items beside new
    /// publications while an import commits.
    public func serviceCatalogue() async throws -> ServiceCatalogueData {
        try await client.snapshot(logger: logger) { connection in
            var items: [ServiceItem] = []
            for try await (code, topic, type, name, basis, guide) in try await connection.query(
                "SELECT code, topic, type, name, legal_basis, guide FROM service_items ORDER BY code", logger: logger)
                .decode((String, String, String, String, String, String).self) {
                items.append(try ServiceCatalogueRows.item(code: code, topic: topic, type: type, name: name, legalBasis: basis, guide: guide))
            }
            var publications: [ServicePublication] = []
            for try await (division, code, type, name, basis, window) in try await connection.query("""
                SELECT division_code, item_code, type, name, legal_basis, service_window FROM service_publications ORDER BY division_code, item_code
                """, logger: logger).decode((String, String, String, String, String, String).self) {
                publications.append(try ServiceCatalogueRows.publication(division: division, code: code, type: type, name: name, legalBasis: basis,
                                                                         window: window))
            }
            var halls: [ServiceHall] = []
            for try await (division, name, address, phone, hours) in try await connection.query(
                "SELECT division_code, name, address, phone, hours FROM service_halls ORDER BY division_code", logger: logger)
                .decode((String, String, String, String, String).self) {
                halls.append(try ServiceCatalogueRows.hall(division: division, name: name, address: address, phone: phone, hours: hours))
            }
            return ServiceCatalogueData(items: items, publications: publications, halls: halls)
        }
    }

    /// The advisory lock key catalogue imports take turns on ("MZCAT" in ASCII).
    static let importLock: Int64 = 0x4D5A_4341_54

    @discardableResult
    public func importServiceCatalogue(checksum: String, _ parse: () throws -> ServiceCatalogueData) async throws -> Bool {
        let key = "service-catalogue:" + checksum
        return try await PostgresSeedLedger.importOnce(client, key: key, logger: logger, parse: parse) { connection, data in
            // Only the catalogue in the tables counts as imported: files put back to an earlier catalogue are read again.
            // Two processes importing different catalogues at once (a rolling deploy) take turns here, so the second
            // sees the first's key committed and removes it: never two catalogues marked done for one in the tables.
            // (The one-number form of the advisory lock: the booking store's office locks use the two-number form,
            // whose keys never meet these.)
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.importLock))", logger: logger)
            try await connection.query("DELETE FROM seed_imports WHERE checksum LIKE 'service-catalogue:%' AND checksum <> \(key)", logger: logger)
            try await connection.query("DELETE FROM service_publications", logger: logger)
            try await connection.query("DELETE FROM service_halls", logger: logger)
            try await connection.query("DELETE FROM service_items", logger: logger)
            let items = data.items
            try await connection.query("""
                INSERT INTO service_items (code, topic, type, name, legal_basis, guide)
                SELECT * FROM unnest(\(items.map(\.code))::text[], \(items.map(\.topic.rawValue))::text[], \(items.map(\.attributes.type))::text[],
                                     \(items.map(\.name))::text[], \(items.map(\.attributes.legalBasis))::text[],
                                     \(try items.map { try ServiceCatalogueRows.guideJSON($0.guide) })::text[])
                """, logger: logger)
            let publications = data.publications
            try await connection.query("""
                INSERT INTO service_publications (division_code, item_code, type, name, legal_basis, service_window)
                SELECT * FROM unnest(\(publications.map(\.division.rawValue))::text[], \(publications.map(\.attributes.code))::text[],
                                     \(publications.map(\.attributes.type))::text[], \(publications.map(\.attributes.name))::text[],
                                     \(publications.map(\.attributes.legalBasis))::text[], \(publications.map(\.window))::text[])
                """, logger: logger)
            let halls = data.halls
            try await connection.query("""
                INSERT INTO service_halls (division_code, name, address, phone, hours)
                SELECT * FROM unnest(\(halls.map(\.division.rawValue))::text[], \(halls.map(\.name))::text[], \(halls.map(\.address))::text[],
                                     \(halls.map(\.phone))::text[], \(halls.map(\.hours))::text[])
                """, logger: logger)
        }
    }
}
