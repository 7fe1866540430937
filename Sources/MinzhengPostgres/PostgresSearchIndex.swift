import Logging
import MinzhengCore
import PostgresNIO

/// The look-up searches answered by PostgreSQL (migration 0009's indexes): names through pg_trgm (and a grams index for
/// searches of one or two characters), places through a GiST index on `point(lng, lat)` and then the exact
/// great-circle distance, codes compared byte by byte.
///
/// Each search must give what the in-memory catalogues give on the same data, row for row (`SearchIndexContract`), so
/// every rule below is the catalogue's, written in SQL: the same box, the same haversine in the same order of
/// operations (so the same doubles), the same rounding to millimetres, the same ties broken by id.
public struct PostgresSearchIndex: SearchIndex {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    public func directory(_ query: DirectoryQuery, after: DirectoryQuery.Resume?, count: Int) async throws -> [DirectoryQuery.Row] {
        if SQLBuilder.findsNothing(query.name) { return [] }
        var sql = SQLBuilder()
        var conditions = ["e.type = \(sql.bind(query.type))"]
        if let division = query.division { conditions.append(sql.codePrefix("e.division_code", division.rawValue)) }
        if let name = query.name { conditions.append(sql.contains("e.name", name)) }
        guard let near = query.near else {
            if case .division(let code, let id) = after {
                conditions.append("(e.division_code COLLATE \"C\", e.id) > (\(sql.bind(code)) COLLATE \"C\", \(sql.bind(id)))")
            }
            let text = """
                SELECT e.id, e.division_code FROM directory_entries e WHERE \(conditions.joined(separator: " AND "))
                ORDER BY e.division_code COLLATE "C", e.id LIMIT \(sql.bind(Int64(count)))
                """
            var found: [DirectoryQuery.Row] = []
            for try await (id, code) in try await run(text, sql).decode((Int64, String).self) {
                found.append(DirectoryQuery.Row(id: id, divisionCode: code, millimetres: nil))
            }
            return found
        }
        let distance = sql.distance(from: near, within: query.radiusMetres, table: "e", conditions: &conditions)
        var outer = ["metres <= \(sql.bind(query.radiusMetres))"]
        if case .distance(let millimetres, let id) = after { outer.append("(millimetres, id) > (\(sql.bind(millimetres)), \(sql.bind(id)))") }
        let text = """
            SELECT id, division_code, millimetres FROM (
                SELECT id, division_code, metres, \(SQLBuilder.millimetres("metres")) AS millimetres FROM (
                    SELECT e.id, e.division_code, \(distance) AS metres FROM directory_entries e
                    WHERE \(conditions.joined(separator: " AND "))
                ) AS measured
            ) AS found
            WHERE \(outer.joined(separator: " AND ")) ORDER BY millimetres, id LIMIT \(sql.bind(Int64(count)))
            """
        var found: [DirectoryQuery.Row] = []
        for try await (id, code, millimetres) in try await run(text, sql).decode((Int64, String, Int64).self) {
            found.append(DirectoryQuery.Row(id: id, divisionCode: code, millimetres: millimetres))
        }
        return found
    }

    public func divisions(name: String, level: DivisionLevel?, after: DivisionCode?, count: Int) async throws -> [DivisionCode] {
        if SQLBuilder.findsNothing(name) { return [] }
        var sql = SQLBuilder()
        var conditions = [sql.contains("name", name)]
        if let level { conditions.append("length(code) = \(sql.bind(Int64(level.codeLength)))") }
        if let after { conditions.append("code COLLATE \"C\" > \(sql.bind(after.rawValue))") }
        let text = """
            SELECT code FROM divisions WHERE \(conditions.joined(separator: " AND ")) ORDER BY code COLLATE "C" LIMIT \(sql.bind(Int64(count)))
            """
        var found: [DivisionCode] = []
        for try await code in try await run(text, sql).decode(String.self) {
            if let code = DivisionCode(code) { found.append(code) }  // the CHECK keeps others out
        }
        return found
    }

    public func socialOrgs(_ query: SocialOrgRegistry.Query, after: String?, count: Int) async throws -> [String] {
        if SQLBuilder.findsNothing(query.name) { return [] }
        var sql = SQLBuilder()
        var conditions = ["true"]
        if let kind = query.kind { conditions.append("kind = \(sql.bind(kind.rawValue))") }
        if let status = query.status { conditions.append("status = \(sql.bind(status.rawValue))") }
        if let division = query.division { conditions.append(sql.codePrefix("division_code", division.rawValue)) }
        if let name = query.name { conditions.append(sql.contains("name", name)) }
        // As the registry: past every code that begins with the last one shown.
        if let after { conditions.append("code COLLATE \"C\" >= \(sql.bind(after + "\u{7F}"))") }
        let text = """
            SELECT code FROM social_orgs WHERE \(conditions.joined(separator: " AND ")) ORDER BY code COLLATE "C" LIMIT \(sql.bind(Int64(count)))
            """
        var found: [String] = []
        for try await code in try await run(text, sql).decode(String.self) { found.append(code) }
        return found
    }

    public func eldercare(_ query: EldercareQuery, after: EldercareQuery.Resume?, count: Int) async throws -> [EldercareQuery.Row] {
        if SQLBuilder.findsNothing(query.name) { return [] }
        var sql = SQLBuilder()
        var conditions = ["true"]
        if !query.careLevels.isEmpty { conditions.append("f.care_levels @> \(sql.bind(query.careLevels.map(\.rawValue)))::text[]") }
        if let nature = query.nature { conditions.append("f.nature = \(sql.bind(nature.rawValue))") }
        if let minStar = query.minStar { conditions.append("f.star >= \(sql.bind(Int64(minStar)))") }
        // The catalogue keeps the cheapest price as a 32-bit number.
        let price = "least(greatest(f.price_min, -2147483648), 2147483647)"
        if let maxPrice = query.maxMonthlyPrice { conditions.append("\(price) <= \(sql.bind(Int64(maxPrice)))") }
        if let hasFreeBeds = query.hasFreeBeds { conditions.append("(f.beds_free > 0) = \(sql.bind(hasFreeBeds))") }
        if let division = query.division { conditions.append(sql.codePrefix("f.division_code", division.rawValue)) }
        if let name = query.name {
            if EldercareCatalog.isPinyin(name) {
                let pattern = sql.bind(SQLBuilder.containing(name.lowercased()))
                conditions.append("(f.name_pinyin LIKE \(pattern) OR f.name_initials LIKE \(pattern))")
            } else {
                conditions.append(sql.contains("f.name", name))
            }
        }
        var outer = ["true"]
        let metres: String
        if let near = query.near {
            metres = sql.distance(from: near, within: query.radiusMetres, table: "f", conditions: &conditions)
            outer.append("metres <= \(sql.bind(query.radiusMetres))")
        } else {
            metres = "NULL::double precision"
        }
        // `EldercareCatalog.sortKey`: nearest, cheapest, most stars, most free beds first.
        let key = switch query.sort {
        case .distance: SQLBuilder.millimetres("coalesce(metres, 0)")
        case .price: "price"
        case .star: "-star"
        case .freeBeds: "-beds_free"
        }
        if let after { outer.append("(key, id) > (\(sql.bind(after.key)), \(sql.bind(after.id)))") }
        let text = """
            SELECT id, key, beds_free, metres FROM (
                SELECT id, beds_free, metres, (\(key))::bigint AS key FROM (
                    SELECT f.id, f.beds_free, f.star::bigint AS star, \(price) AS price, \(metres) AS metres FROM eldercare_facilities f
                    WHERE \(conditions.joined(separator: " AND "))
                ) AS measured
            ) AS found
            WHERE \(outer.joined(separator: " AND ")) ORDER BY key, id LIMIT \(sql.bind(Int64(count)))
            """
        var found: [EldercareQuery.Row] = []
        for try await (id, key, bedsFree, metres) in try await run(text, sql).decode((Int64, Int64, Int64, Double?).self) {
            found.append(EldercareQuery.Row(id: id, key: key, bedsFree: Int(bedsFree), metres: metres))
        }
        return found
    }

    /// Counts what an import just wrote, inside its transaction, so that the planner picks the indexes above from the
    /// first search on (autovacuum would only get to it a minute or so later).
    static func analyze(_ connection: PostgresConnection, _ tables: StaticString, logger: Logger) async throws {
        try await connection.query(PostgresQuery(unsafeSQL: "ANALYZE \(tables)"), logger: logger)
    }

    private func run(_ text: String, _ sql: SQLBuilder) async throws -> PostgresRowSequence {
        try await client.query(PostgresQuery(unsafeSQL: text, binds: sql.binds), logger: logger)
    }
}

/// A statement's text written piece by piece: every value bound as a parameter, never spliced into the text.
struct SQLBuilder {
    private(set) var binds = PostgresBindings()

    /// The placeholder of `value`, bound.
    mutating func bind(_ value: some PostgresNonThrowingEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// `column` is the code `prefix` or a code under it, compared byte by byte (':' sorts just after '9').
    mutating func codePrefix(_ column: String, _ prefix: String) -> String {
        "(\(column) COLLATE \"C\" >= \(bind(prefix)) AND \(column) COLLATE \"C\" < \(bind(prefix + ":")))"
    }

    /// `GeoPoint.Ruler`'s haversine from `centre`, in metres, as SQL over `table`'s lat and lng, operation for operation
    /// (so PostgreSQL computes the very doubles Swift does); adds to `conditions` the box the catalogues read first,
    /// exactly, and as the GiST index's `<@`, which finds the rows (its comparisons allow a hair's breadth more).
    mutating func distance(from centre: GeoPoint, within metres: Double, table t: String, conditions: inout [String]) -> String {
        let box = centre.boundingBox(metres: metres)
        let (minLat, maxLat, minLng, maxLng) = (bind(box.minLat), bind(box.maxLat), bind(box.minLng), bind(box.maxLng))
        conditions.append("point(\(t).lng, \(t).lat) <@ box(point(\(minLng), \(minLat)), point(\(maxLng), \(maxLat)))")
        conditions.append("\(t).lat >= \(minLat) AND \(t).lat <= \(maxLat) AND \(t).lng >= \(minLng) AND \(t).lng <= \(maxLng)")
        let lat = bind(centre.lat), lng = bind(centre.lng), cosLat = bind(centre.cosLatitude)
        let sinHalfLat = "sin((\(t).lat - \(lat)) * pi() / 360)"
        let sinHalfLng = "sin((\(t).lng - \(lng)) * pi() / 360)"
        let a = "\(sinHalfLat) * \(sinHalfLat) + \(cosLat) * cos(\(t).lat * pi() / 180) * \(sinHalfLng) * \(sinHalfLng)"
        return "\(bind(2 * GeoPoint.earthRadius)) * asin(least(1::double precision, sqrt(\(a))))"
    }

    /// `column` contains `text`: LIKE, which trigram indexes answer for three characters or more; one or two (most
    /// Chinese searches) also ask for the name's grams (migration 0009), which the grams index answers.
    mutating func contains(_ column: String, _ text: String) -> String {
        let like = "\(column) LIKE \(bind(Self.containing(text)))"
        guard text.unicodeScalars.count <= 2 else { return like }
        return "(\(like) AND minzheng_name_grams(\(column)) @> minzheng_name_grams(\(bind(text))))"
    }

    /// `metres` in whole millimetres as Swift's `rounded()` gives them (half away from zero), exactly: `floor(x + 0.5)`
    /// would round 0.49999999999999994 up, where the addition itself rounds.
    static func millimetres(_ metres: String) -> String {
        "(floor(\(metres) * 1000) + (\(metres) * 1000 - floor(\(metres) * 1000) >= 0.5)::int)::bigint"
    }

    /// No stored name holds a NUL, and PostgreSQL's text cannot carry one: such a search finds nothing.
    static func findsNothing(_ name: String?) -> Bool { name?.unicodeScalars.contains("\u{0}") ?? false }

    /// A LIKE pattern for text that contains `text`, its wildcards escaped (code point by code point, as LIKE reads
    /// them: a wildcard with an accent on it is still a wildcard there).
    static func containing(_ text: String) -> String {
        var pattern = "%"
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == "%" || scalar == "_" { pattern.unicodeScalars.append("\\") }
            pattern.unicodeScalars.append(scalar)
        }
        return pattern + "%"
    }
}
