import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Eldercare facilities in PostgreSQL: the same contract as `SQLiteEldercareStore` (facilities, version, free beds,
/// the feed's upsert and the seed import). Searches run in memory over `facilities()` on both backends.
public struct PostgresEldercareStore: EldercareFeedStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    public func facilities() async throws -> [EldercareFacility] {
        var facilities: [EldercareFacility] = []
        for try await row in try await client.query("SELECT \(unescaped: Self.columns) FROM eldercare_facilities ORDER BY id", logger: logger)
            .decode(Row.self) {
            facilities.append(try Self.facility(row))
        }
        return facilities
    }

    public func version() async throws -> Int64 {
        try await PostgresDatasetVersion.current(client, "eldercare", logger: logger)
    }

    public func setFreeBeds(id: Int64, to free: Int, check: @escaping @Sendable (_ bedsTotal: Int) throws -> Void,
                            audit: @escaping @Sendable (Int) -> AuditRecord) async throws -> Int? {
        return try await client.transaction(logger: logger) { connection in
            // FOR UPDATE: an import that changes the total, or another report, waits; `check` judges the total
            // that stays.
            var stored: (free: Int, total: Int)?
            for try await (before, total) in try await connection.query(
                "SELECT beds_free, beds_total FROM eldercare_facilities WHERE id = \(id) FOR UPDATE", logger: logger).decode((Int, Int).self) {
                stored = (before, total)
            }
            guard let stored else { return nil }
            try check(stored.total)
            try await connection.query("UPDATE eldercare_facilities SET beds_free = \(free) WHERE id = \(id)", logger: logger)
            try await PostgresDatasetVersion.bump(connection, "eldercare", logger: logger)
            try await PostgresAudit.append(connection, audit(stored.free), logger: logger)
            return stored.free
        }
    }

    /// Adds new facilities and replaces stored ones, in one transaction. A facility already stored keeps its free
    /// beds (capped at its new total): those are live, reported by staff, and a file is older news.
    public func upsert(_ facilities: [EldercareFacility]) async throws {
        try await client.transaction(logger: logger) { connection in try await Self.upsert(connection, facilities, logger: logger) }
    }

    /// Imports the seed file's facilities once per file content (`parse` runs only for a new file).
    @discardableResult
    public func importSeed(checksum: String, _ parse: () throws -> [EldercareFacility]) async throws -> Bool {
        try await PostgresSeedLedger.importOnce(client, key: "eldercare:" + checksum, logger: logger, parse: parse) { connection, facilities in
            try await Self.upsert(connection, facilities, logger: logger)
        }
    }

    /// Rows per statement: each is 18 arrays of this many elements.
    private static let batchSize = 5_000

    /// One statement per batch (columns as arrays). SQLite writes the facilities one by one, so an id given twice
    /// is inserted and then updated (keeping the first one's free beds, capped); one statement may touch a row only
    /// once, so each further occurrence of an id goes in a later round, which does the same.
    private static func upsert(_ connection: PostgresConnection, _ facilities: [EldercareFacility], logger: Logger) async throws {
        var rounds: [[EldercareFacility]] = []
        var occurrences: [Int64: Int] = [:]
        for facility in facilities {
            let round = occurrences[facility.id, default: 0]
            occurrences[facility.id] = round + 1
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(facility)
        }
        for var round in rounds {
            round.sort { $0.id < $1.id }  // rows locked in one order: two imports at once cannot deadlock
            for start in stride(from: 0, to: round.count, by: batchSize) {
                let batch = round[start..<min(start + batchSize, round.count)]
                let ids = batch.map(\.id), names = batch.map(\.name), pinyin = batch.map(\.pinyin.full), initials = batch.map(\.pinyin.initials)
                let divisions = batch.map(\.division.rawValue), addresses = batch.map(\.address)
                let lats = batch.map(\.location.lat), lngs = batch.map(\.location.lng), natures = batch.map(\.nature.rawValue)
                let totals = batch.map(\.bedsTotal), frees = batch.map(\.bedsFree)
                // Joined here and split in SQL: unnest cannot take an array of arrays of different lengths.
                let levels = batch.map { $0.careLevels.map(\.rawValue).joined(separator: ";") }
                let medicals = batch.map(\.medical.rawValue), stars = batch.map(\.star), priceMins = batch.map(\.priceMin)
                let priceMaxes = batch.map(\.priceMax), phones = batch.map(\.phone), updated = batch.map(\.updatedAt.timeIntervalSince1970)
                try await connection.query("""
                    INSERT INTO eldercare_facilities (id, name, name_pinyin, name_initials, division_code, address, lat, lng, nature,
                        beds_total, beds_free, care_levels, medical, star, price_min, price_max, phone, updated_at)
                    SELECT u.id, u.name, u.name_pinyin, u.name_initials, u.division_code, u.address, u.lat, u.lng, u.nature,
                        u.beds_total, u.beds_free, string_to_array(u.care_levels, ';'), u.medical, u.star, u.price_min, u.price_max, u.phone,
                        u.updated_at
                    FROM unnest(\(ids)::bigint[], \(names)::text[], \(pinyin)::text[], \(initials)::text[], \(divisions)::text[],
                                \(addresses)::text[], \(lats)::double precision[], \(lngs)::double precision[], \(natures)::text[],
                                \(totals)::bigint[], \(frees)::bigint[], \(levels)::text[], \(medicals)::text[], \(stars)::integer[],
                                \(priceMins)::bigint[], \(priceMaxes)::bigint[], \(phones)::text[], \(updated)::double precision[])
                        AS u(id, name, name_pinyin, name_initials, division_code, address, lat, lng, nature, beds_total, beds_free,
                             care_levels, medical, star, price_min, price_max, phone, updated_at)
                    ON CONFLICT (id) DO UPDATE SET name = excluded.name, name_pinyin = excluded.name_pinyin,
                        name_initials = excluded.name_initials, division_code = excluded.division_code, address = excluded.address,
                        lat = excluded.lat, lng = excluded.lng, nature = excluded.nature, beds_total = excluded.beds_total,
                        beds_free = LEAST(eldercare_facilities.beds_free, excluded.beds_total), care_levels = excluded.care_levels,
                        medical = excluded.medical, star = excluded.star, price_min = excluded.price_min, price_max = excluded.price_max,
                        phone = excluded.phone, updated_at = excluded.updated_at
                    """, logger: logger)
            }
        }
        // Bumped by every upsert, even of nothing, as in SQLite.
        try await PostgresDatasetVersion.bump(connection, "eldercare", logger: logger)
        if !facilities.isEmpty { try await PostgresSearchIndex.analyze(connection, "eldercare_facilities", logger: logger) }
    }

    // MARK: Rows

    private static let columns = """
        id, name, name_pinyin, name_initials, division_code, address, lat, lng, nature, beds_total, beds_free, care_levels, medical, star,
        price_min, price_max, phone, updated_at
        """

    private typealias Row = (Int64, String, String, String, String, String, Double, Double, String, Int, Int, [String], String, Int, Int, Int,
                             String, Double)

    private static func facility(_ row: Row) throws -> EldercareFacility {
        let (id, name, pinyin, initials, code, address, lat, lng, natureText, total, free, levels, medicalText, star, priceMin, priceMax, phone,
             updatedAt) = row
        guard let division = DivisionCode(code), let location = GeoPoint(lat: lat, lng: lng),
            let nature = EldercareFacility.Nature(rawValue: natureText), let medical = EldercareFacility.Medical(rawValue: medicalText)
        else { throw PostgresDatabaseError("eldercare_facilities has an unreadable row: \(id)") }
        return EldercareFacility(
            id: id, name: name, division: division, address: address, location: location, nature: nature, bedsTotal: total, bedsFree: free,
            careLevels: levels.compactMap { EldercareFacility.CareLevel(rawValue: $0) }, medical: medical, star: star, priceMin: priceMin,
            priceMax: priceMax, phone: phone, updatedAt: Date(timeIntervalSince1970: updatedAt), pinyin: NamePinyin(full: pinyin, initials: initials))
    }
}
