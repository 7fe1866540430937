import Foundation
import GRDB
import MinzhengCore

/// The service catalogue in SQLite: items with their guides as JSON, every level's publications and halls.
public struct SQLiteServiceCatalogueStore: ServiceCatalogueStore {
    private let pool: DatabasePool

    public init(_ database: SQLiteDatabase) { pool = database.pool }

    public func serviceCatalogue() async throws -> ServiceCatalogueData {
        try await pool.read { db in
            let items = try Row.fetchAll(db, sql: "SELECT code, topic, type, name, legal_basis, guide FROM service_items ORDER BY code").map { row in
                try ServiceCatalogueRows.item(code: row[0], topic: row[1], type: row[2], name: row[3], legalBasis: row[4], guide: row[5])
            }
            let publications = try Row.fetchAll(db, sql: """
                SELECT division_code, item_code, type, name, legal_basis, service_window FROM service_publications ORDER BY division_code, item_code
                """).map { row in
                try ServiceCatalogueRows.publication(division: row[0], code: row[1], type: row[2], name: row[3], legalBasis: row[4], window: row[5])
            }
            let halls = try Row.fetchAll(db, sql: "SELECT division_code, name, address, phone, hours FROM service_halls ORDER BY division_code").map { row in
                try ServiceCatalogueRows.hall(division: row[0], name: row[1], address: row[2], phone: row[3], hours: row[4])
            }
            return ServiceCatalogueData(items: items, publications: publications, halls: halls)
        }
    }

    @discardableResult
    public func importServiceCatalogue(checksum: String, _ parse: () throws -> ServiceCatalogueData) async throws -> Bool {
        let key = "service-catalogue:" + checksum
        guard try await !SeedLedger.done(pool, key) else { return false }
        let data = try parse()
        return try await pool.write { db in
            guard try SeedLedger.claim(db, key) else { return false }  // another process got there first
            // Only the catalogue in the tables counts as imported: files put back to an earlier catalogue are read again.
            try db.execute(sql: "DELETE FROM seed_imports WHERE checksum LIKE 'service-catalogue:%' AND checksum <> ?", arguments: [key])
            try db.execute(sql: "DELETE FROM service_publications; DELETE FROM service_halls; DELETE FROM service_items")
            let item = try db.makeStatement(sql: "INSERT INTO service_items (code, topic, type, name, legal_basis, guide) VALUES (?, ?, ?, ?, ?, ?)")
            for row in data.items {
                let a = row.attributes
                try item.execute(arguments: [a.code, row.topic.rawValue, a.type, a.name, a.legalBasis, try ServiceCatalogueRows.guideJSON(row.guide)])
            }
            let publication = try db.makeStatement(sql: """
                INSERT INTO service_publications (division_code, item_code, type, name, legal_basis, service_window) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for row in data.publications {
                let a = row.attributes
                try publication.execute(arguments: [row.division.rawValue, a.code, a.type, a.name, a.legalBasis, row.window])
            }
            let hall = try db.makeStatement(sql: "INSERT INTO service_halls (division_code, name, address, phone, hours) VALUES (?, ?, ?, ?, ?)")
            for row in data.halls {
                try hall.execute(arguments: [row.division.rawValue, row.name, row.address, row.phone, row.hours])
            }
            return true
        }
    }
}
