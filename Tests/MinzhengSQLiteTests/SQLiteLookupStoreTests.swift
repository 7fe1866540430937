import Foundation
import GRDB
import MinzhengCore
import MinzhengSQLite
import MinzhengTesting
import Testing

@Suite struct SQLiteLookupStoreTests {
    @Test func aFreshFileIsInWALModeAndMigrated() throws {
        let directory = try Fixtures.temporaryDirectory()
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        #expect(try database.journalMode() == "wal")
        let tables = try database.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        #expect(Set(tables).isSuperset(of: ["divisions", "resource_types", "directory_entries", "seed_imports"]))
    }

    @Test func seedImportIsIdempotentAndReadsBackTheSameData() async throws {
        let directory = try Fixtures.temporaryDirectory()
        let path = directory.appendingPathComponent("db.sqlite").path
        let seed = try SeedSet.load(from: Fixtures.seedDirectory)
        let store = SQLiteLookupStore(try SQLiteDatabase(path: path))

        #expect(try await store.importSeed(seed) == true)
        let first = try await (store.divisions(), store.resourceTypes(), store.directoryEntries())
        #expect(try await store.importSeed(seed) == false)

        // Reopen the file: nothing changed, and the data is what the seed files say.
        let reopened = SQLiteLookupStore(try SQLiteDatabase(path: path))
        let divisions = try await reopened.divisions()
        let entries = try await reopened.directoryEntries()
        #expect(divisions == first.0)
        #expect(entries == first.2)
        #expect(divisions.count == seed.divisions.count)
        #expect(Set(divisions) == Set(seed.divisions))
        #expect(entries == seed.entries.sorted { $0.id < $1.id })
        #expect(try await reopened.resourceTypes() == seed.resourceTypes)
        try await reopened.ping()
    }

    @Test func theSchemaRefusesBadRows() throws {
        let directory = try Fixtures.temporaryDirectory()
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("db.sqlite").path)
        #expect(throws: DatabaseError.self) {
            try database.pool.write { db in try db.execute(sql: "INSERT INTO divisions (code, name) VALUES ('123', 'x')") }
        }
        #expect(throws: DatabaseError.self) {
            try database.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO directory_entries (id, type, name, division_code, address, lat, lng, updated_at)
                    VALUES (1, 'no-such-type', 'x', '32', '', 0, 0, '')
                    """)
            }
        }
    }
}

@Suite struct SeedSetTests {
    @Test func theShippedSeedMeetsTheFoundationRules() throws {
        let seed = try SeedSet.load(from: Fixtures.seedDirectory)
        let codes = Set(seed.divisions.map(\.code.rawValue))
        #expect(seed.divisions.filter { $0.level == .province }.count >= 31)
        #expect(seed.divisions.filter { $0.code.rawValue.hasPrefix("32") && $0.level == .city }.count == 13)
        #expect(seed.divisions.filter { $0.code.rawValue.hasPrefix("32") && $0.level == .township }.count > 1000)
        #expect(seed.resourceTypes.count == 10)
        let counties = seed.divisions.filter { $0.code.rawValue.hasPrefix("32") && $0.level == .county }
        let registries = Set(seed.entries.filter { $0.type == "marriage-registry" }.map(\.divisionCode))
        #expect(counties.allSatisfy { registries.contains($0.code) }, "a marriage registry in every county-level unit")
        for type in seed.resourceTypes {
            let cities = Set(seed.entries.filter { $0.type == type.slug }.map { String($0.divisionCode.rawValue.prefix(4)) })
            #expect(cities.count == 13, "\(type.slug) in every city of Jiangsu")
        }
        #expect(seed.entries.allSatisfy { codes.contains($0.divisionCode.rawValue) })
        #expect(Set(seed.entries.map(\.id)).count == seed.entries.count)
    }

    @Test func aBadRowNamesItsFileAndLine() throws {
        let directory = try Fixtures.temporaryDirectory()
        for name in SeedSet.fileNames {
            try FileManager.default.copyItem(at: Fixtures.seedDirectory.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        let path = directory.appendingPathComponent("directory.csv")
        var text = try String(contentsOf: path, encoding: .utf8)
        text += "9999,marriage-registry,x,999999,addr,32,118,,,,2026-01-01T00:00:00Z\n"
        try text.write(to: path, atomically: true, encoding: .utf8)
        let lines = text.split(separator: "\n").count
        #expect { try SeedSet.load(from: directory) } throws: { error in
            let seedError = try #require(error as? SeedError)
            return seedError.file == "directory.csv" && seedError.line == lines && seedError.reason == "unknown division"
        }
    }
}
