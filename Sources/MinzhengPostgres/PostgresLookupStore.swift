import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Look-up data in PostgreSQL: the same contract as `SQLiteLookupStore` (`LookupStoreContract` runs against both).
public struct PostgresLookupStore: LookupStore, SeedStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    public func divisions() async throws -> [Division] {
        var divisions: [Division] = []
        for try await (code, name, zone) in try await client.query("SELECT code, name, functional_zone FROM divisions ORDER BY code", logger: logger)
            .decode((String, String, Bool).self) {
            if let code = DivisionCode(code) { divisions.append(Division(code: code, name: name, functionalZone: zone)) }
        }
        return divisions
    }

    public func resourceTypes() async throws -> [ResourceType] {
        var types: [ResourceType] = []
        for try await (slug, name) in try await client.query("SELECT slug, name FROM resource_types ORDER BY position", logger: logger)
            .decode((String, String).self) {
            types.append(ResourceType(slug: slug, name: name))
        }
        return types
    }

    public func directoryEntries() async throws -> [DirectoryEntry] {
        var entries: [DirectoryEntry] = []
        for try await (id, type, name, code, address, lat, lng, phone, hours, services, updatedAt) in try await client.query("""
            SELECT id, type, name, division_code, address, lat, lng, phone, opening_hours, services, updated_at FROM directory_entries ORDER BY id
            """, logger: logger).decode((Int64, String, String, String, String, Double, Double, String?, String?, [String], Double).self) {
            guard let code = DivisionCode(code), let location = GeoPoint(lat: lat, lng: lng) else { continue }  // the CHECKs keep these out
            entries.append(DirectoryEntry(id: id, type: type, name: name, divisionCode: code, address: address, location: location, phone: phone,
                                          openingHours: hours, services: services, updatedAt: Date(timeIntervalSince1970: updatedAt)))
        }
        return entries
    }

    public func calendarDays() async throws -> [CalendarDay] {
        var days: [CalendarDay] = []
        for try await (date, kind, name) in try await client.query("SELECT date, kind, name FROM calendar_days ORDER BY date", logger: logger)
            .decode((String, String, String).self) {
            if let date = LocalDate(iso: date), let kind = WorkCalendar.DayKind(rawValue: kind) { days.append(CalendarDay(date: date, kind: kind, name: name)) }
        }
        return days
    }

    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    /// Imports the set in one transaction unless this very set (by checksum) was imported before. Divisions go in
    /// as arrays (one statement for thousands of rows).
    @discardableResult
    public func importSeed(_ seed: SeedSet) async throws -> Bool {
        return try await client.transaction(logger: logger) { connection in
            // Instances starting together import once: the others wait on the checksum's row, then find it taken.
            guard try await PostgresSeedLedger.claim(connection, seed.checksum, logger: logger) else { return false }
            try await connection.query("""
                INSERT INTO divisions (code, name, functional_zone)
                SELECT * FROM unnest(\(seed.divisions.map(\.code.rawValue))::text[], \(seed.divisions.map(\.name))::text[],
                                     \(seed.divisions.map(\.functionalZone))::boolean[])
                ON CONFLICT (code) DO UPDATE SET name = excluded.name, functional_zone = excluded.functional_zone
                """, logger: logger)
            for (position, type) in seed.resourceTypes.enumerated() {
                try await connection.query("""
                    INSERT INTO resource_types (slug, name, position) VALUES (\(type.slug), \(type.name), \(position))
                    ON CONFLICT (slug) DO UPDATE SET name = excluded.name, position = excluded.position
                    """, logger: logger)
            }
            for entry in seed.entries {
                try await connection.query("""
                    INSERT INTO directory_entries (id, type, name, division_code, address, lat, lng, phone, opening_hours, services, updated_at)
                    VALUES (\(entry.id), \(entry.type), \(entry.name), \(entry.divisionCode.rawValue), \(entry.address), \(entry.location.lat),
                            \(entry.location.lng), \(entry.phone), \(entry.openingHours), \(entry.services), \(entry.updatedAt.timeIntervalSince1970))
                    ON CONFLICT (id) DO UPDATE SET type = excluded.type, name = excluded.name, division_code = excluded.division_code,
                        address = excluded.address, lat = excluded.lat, lng = excluded.lng, phone = excluded.phone,
                        opening_hours = excluded.opening_hours, services = excluded.services, updated_at = excluded.updated_at
                    """, logger: logger)
            }
            try await PostgresSearchIndex.analyze(connection, "divisions, directory_entries", logger: logger)
            for day in seed.calendar {
                try await connection.query("""
                    INSERT INTO calendar_days (date, kind, name) VALUES (\(day.date.description), \(day.kind.rawValue), \(day.name))
                    ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = excluded.name
                    """, logger: logger)
            }
            return true
        }
    }
}
