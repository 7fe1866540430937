import Foundation
import GRDB
import MinzhengCore

/// Look-up data in SQLite.
public struct SQLiteLookupStore: LookupStore, SeedStore {
    private let pool: DatabasePool

    public init(_ database: SQLiteDatabase) { pool = database.pool }

    public func divisions() async throws -> [Division] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT code, name, functional_zone FROM divisions ORDER BY code").compactMap { row in
                DivisionCode(row["code"] as String).map { Division(code: $0, name: row["name"], functionalZone: row["functional_zone"]) }
            }
        }
    }

    public func resourceTypes() async throws -> [ResourceType] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT slug, name FROM resource_types ORDER BY position").map {
                ResourceType(slug: $0["slug"], name: $0["name"])
            }
        }
    }

    public func directoryEntries() async throws -> [DirectoryEntry] {
        try await pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT id, type, name, division_code, address, lat, lng, phone, opening_hours, services, updated_at
                FROM directory_entries ORDER BY id
                """)
            var entries: [DirectoryEntry] = []
            while let row = try rows.next() {
                guard let code = DivisionCode(row["division_code"] as String),
                    let location = GeoPoint(lat: row["lat"], lng: row["lng"]),
                    let updatedAt = try? Date(row["updated_at"] as String, strategy: .iso8601)
                else { continue }  // the schema's CHECKs keep such rows out
                let services = (try? JSONDecoder().decode([String].self, from: Data((row["services"] as String).utf8))) ?? []
                entries.append(DirectoryEntry(
                    id: row["id"], type: row["type"], name: row["name"], divisionCode: code, address: row["address"],
                    location: location, phone: row["phone"], openingHours: row["opening_hours"], services: services,
                    updatedAt: updatedAt))
            }
            return entries
        }
    }

    public func calendarDays() async throws -> [CalendarDay] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT date, kind, name FROM calendar_days ORDER BY date").compactMap { row in
                guard let date = LocalDate(iso: row["date"] as String), let kind = WorkCalendar.DayKind(rawValue: row["kind"]) else { return nil }
                return CalendarDay(date: date, kind: kind, name: row["name"])
            }
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    @discardableResult
    public func importSeed(_ seed: SeedSet) async throws -> Bool {
        try await pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM seed_imports WHERE checksum = ?", arguments: [seed.checksum]) == true {
                return false
            }
            let division = try db.cachedStatement(sql: """
                INSERT INTO divisions (code, name, functional_zone) VALUES (?, ?, ?)
                ON CONFLICT(code) DO UPDATE SET name = excluded.name, functional_zone = excluded.functional_zone
                """)
            for item in seed.divisions {
                try division.execute(arguments: [item.code.rawValue, item.name, item.functionalZone])
            }
            let type = try db.cachedStatement(sql: """
                INSERT INTO resource_types (slug, name, position) VALUES (?, ?, ?)
                ON CONFLICT(slug) DO UPDATE SET name = excluded.name, position = excluded.position
                """)
            for (position, item) in seed.resourceTypes.enumerated() {
                try type.execute(arguments: [item.slug, item.name, position])
            }
            let entry = try db.cachedStatement(sql: """
                INSERT INTO directory_entries
                    (id, type, name, division_code, address, lat, lng, phone, opening_hours, services, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET type = excluded.type, name = excluded.name,
                    division_code = excluded.division_code, address = excluded.address, lat = excluded.lat,
                    lng = excluded.lng, phone = excluded.phone, opening_hours = excluded.opening_hours,
                    services = excluded.services, updated_at = excluded.updated_at
                """)
            let encoder = JSONEncoder()
            for item in seed.entries {
                let services = String(decoding: try encoder.encode(item.services), as: UTF8.self)
                try entry.execute(arguments: [
                    item.id, item.type, item.name, item.divisionCode.rawValue, item.address, item.location.lat,
                    item.location.lng, item.phone, item.openingHours, services,
                    item.updatedAt.formatted(.iso8601),
                ])
            }
            let day = try db.cachedStatement(sql: """
                INSERT INTO calendar_days (date, kind, name) VALUES (?, ?, ?)
                ON CONFLICT(date) DO UPDATE SET kind = excluded.kind, name = excluded.name
                """)
            for item in seed.calendar {
                try day.execute(arguments: [item.date.description, item.kind.rawValue, item.name])
            }
            try db.execute(sql: "INSERT INTO seed_imports (checksum, imported_at) VALUES (?, ?)",
                           arguments: [seed.checksum, Date().formatted(.iso8601)])
            return true
        }
    }
}
