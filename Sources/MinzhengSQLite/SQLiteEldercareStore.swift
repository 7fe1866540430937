import Foundation
import GRDB
import MinzhengCore

/// Eldercare facilities in SQLite.
public struct SQLiteEldercareStore: EldercareFeedStore {
    private let pool: DatabasePool

    public init(_ database: SQLiteDatabase) { pool = database.pool }

    public func facilities() async throws -> [EldercareFacility] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM eldercare_facilities").map { row in
                guard let division = DivisionCode(row["division_code"] as String), let location = GeoPoint(lat: row["lat"], lng: row["lng"]),
                    let nature = EldercareFacility.Nature(rawValue: row["nature"]), let medical = EldercareFacility.Medical(rawValue: row["medical"]),
                    let updatedAt = try? Date.ISO8601FormatStyle().parse(row["updated_at"] as String)
                else { throw DatabaseError(message: "eldercare_facilities has an unreadable row: \(row["id"] as Int64)") }
                let levels = (row["care_levels"] as String).split(separator: ";").compactMap { EldercareFacility.CareLevel(rawValue: String($0)) }
                return EldercareFacility(
                    id: row["id"], name: row["name"], division: division, address: row["address"], location: location, nature: nature,
                    bedsTotal: row["beds_total"], bedsFree: row["beds_free"], careLevels: levels, medical: medical, star: row["star"],
                    priceMin: row["price_min"], priceMax: row["price_max"], phone: row["phone"], updatedAt: updatedAt,
                    pinyin: NamePinyin(full: row["name_pinyin"], initials: row["name_initials"]))
            }
        }
    }

    public func version() async throws -> Int64 {
        try await pool.read { db in try DatasetVersion.current(db, "eldercare") }
    }

    public func setFreeBeds(id: Int64, to free: Int, check: @escaping @Sendable (_ bedsTotal: Int) throws -> Void,
                            audit: @escaping @Sendable (Int) -> AuditRecord) async throws -> Int? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT beds_free, beds_total FROM eldercare_facilities WHERE id = ?", arguments: [id])
            else { return nil }
            try check(row["beds_total"])
            try db.execute(sql: "UPDATE eldercare_facilities SET beds_free = ? WHERE id = ?", arguments: [free, id])
            try DatasetVersion.bump(db, "eldercare")
            try SQLiteAudit.append(db, audit(row["beds_free"]))
            return row["beds_free"]
        }
    }

    /// Adds new facilities and replaces stored ones, in one transaction. A facility already stored keeps its free
    /// beds (capped at its new total): those are live, reported by staff, and a file is older news.
    public func upsert(_ facilities: [EldercareFacility]) async throws {
        try await pool.write { db in try Self.upsert(db, facilities) }
    }

    /// Imports the seed file's facilities once per file content (`parse` runs only for a new file).
    @discardableResult
    public func importSeed(checksum: String, _ parse: () throws -> [EldercareFacility]) async throws -> Bool {
        let key = "eldercare:" + checksum
        guard try await !SeedLedger.done(pool, key) else { return false }
        let facilities = try parse()
        return try await pool.write { db in
            guard try SeedLedger.claim(db, key) else { return false }  // another process got there first
            try Self.upsert(db, facilities)
            return true
        }
    }

    private static func upsert(_ db: Database, _ facilities: [EldercareFacility]) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO eldercare_facilities (id, name, name_pinyin, name_initials, division_code, address, lat, lng, nature,
                beds_total, beds_free, care_levels, medical, star, price_min, price_max, phone, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_pinyin = excluded.name_pinyin,
                name_initials = excluded.name_initials, division_code = excluded.division_code, address = excluded.address,
                lat = excluded.lat, lng = excluded.lng, nature = excluded.nature, beds_total = excluded.beds_total,
                beds_free = min(beds_free, excluded.beds_total), care_levels = excluded.care_levels, medical = excluded.medical,
                star = excluded.star, price_min = excluded.price_min, price_max = excluded.price_max, phone = excluded.phone,
                updated_at = excluded.updated_at
            """)
        for facility in facilities {
            try statement.execute(arguments: [
                facility.id, facility.name, facility.pinyin.full, facility.pinyin.initials, facility.division.rawValue, facility.address,
                facility.location.lat, facility.location.lng, facility.nature.rawValue, facility.bedsTotal, facility.bedsFree,
                facility.careLevels.map(\.rawValue).joined(separator: ";"), facility.medical.rawValue, facility.star,
                facility.priceMin, facility.priceMax, facility.phone, facility.updatedAt.formatted(.iso8601),
            ])
        }
        try DatasetVersion.bump(db, "eldercare")
    }
}

/// Which seed files were imported (`seed_imports`, by a key naming the data set and the file's checksum).
enum SeedLedger {
    static func done(_ pool: DatabasePool, _ key: String) async throws -> Bool {
        try await pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM seed_imports WHERE checksum = ?", arguments: [key]) ?? false }
    }

    /// Records the key inside the caller's write; false when it was already there.
    static func claim(_ db: Database, _ key: String) throws -> Bool {
        try db.execute(sql: "INSERT OR IGNORE INTO seed_imports (checksum, imported_at) VALUES (?, ?)", arguments: [key, Date().formatted(.iso8601)])
        return db.changesCount == 1
    }
}
