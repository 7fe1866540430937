import Foundation

/// What a family searches by. Every given filter must hold; `careLevels` must all be accepted.
public struct EldercareQuery: Sendable {
    public enum Sort: String, Sendable, CaseIterable {
        case distance, price, star, freeBeds = "free_beds"
    }

    public var near: GeoPoint?
    public var radiusMetres: Double = 10_000
    public var division: DivisionCode?
    /// Chinese characters (a substring of the name), or ASCII letters (full pinyin or initials).
    public var name: String?
    public var careLevels: [EldercareFacility.CareLevel] = []
    public var nature: EldercareFacility.Nature?
    public var minStar: Int?
    public var maxMonthlyPrice: Int?
    public var hasFreeBeds: Bool?
    public var sort: Sort = .distance

    public init() {}
}

/// One result: the facility, its free beds now, and its distance when the search was near a point.
public struct EldercareHit: Sendable {
    public let facility: EldercareFacility
    public let bedsFree: Int
    public let distanceMetres: Int64?
}

/// Every facility in memory, immutable, sorted by (division, id) so a division is one contiguous run, with a
/// spatial grid for radius searches (no row outside the search's box is read) and a character index for names.
/// Free beds change all day, so they live beside the catalogue, in `beds` (same positions).
public struct EldercareCatalog: Sendable {
    let facilities: [EldercareFacility]
    private let positionByID: [Int64: Int]
    private let grid: GeoGrid
    private let names: NameIndex

    public init(_ facilities: [EldercareFacility]) {
        self.facilities = facilities.sorted { ($0.division.rawValue, $0.id) < ($1.division.rawValue, $1.id) }
        positionByID = Dictionary(uniqueKeysWithValues: self.facilities.enumerated().map { ($1.id, $0) })
        grid = GeoGrid(points: self.facilities.map(\.location))
        names = NameIndex(names: self.facilities.map(\.name))
    }

    public var count: Int { facilities.count }

    func position(of id: Int64) -> Int? { positionByID[id] }

    /// `beds[i]` is the free beds of the facility at position i.
    func search(_ query: EldercareQuery, beds: [Int], page: PageRequest) throws(DomainError) -> Page<EldercareHit> {
        let after = try Self.cursor(page.after, sort: query.sort)
        // The candidates: inside the radius's box, else the division's run, else every facility.
        let candidates: [Int]
        if let near = query.near {
            candidates = grid.candidates(in: near.boundingBox(metres: query.radiusMetres))
        } else if let name = query.name, !Self.isPinyin(name) {
            candidates = names.candidates(for: name)
        } else if let division = query.division {
            let prefix = division.rawValue
            let start = facilities.partitionPoint { $0.division.rawValue >= prefix }
            let end = facilities.partitionPoint { $0.division.rawValue >= prefix + ":" }  // ':' sorts right after '9'
            candidates = Array(start..<end)
        } else {
            candidates = Array(facilities.indices)
        }
        let pinyin = query.name.flatMap { Self.isPinyin($0) ? $0.lowercased() : nil }
        var matches: [(key: Int64, id: Int64, position: Int, metres: Double?)] = []
        for position in candidates {
            let facility = facilities[position]
            var metres: Double? = nil
            if let near = query.near {
                let distance = near.distance(to: facility.location)
                guard distance <= query.radiusMetres else { continue }
                metres = distance
            }
            if let division = query.division, !division.contains(facility.division) { continue }
            if let pinyin {
                guard facility.pinyin.matches(pinyin) else { continue }
            } else if let name = query.name, !facility.name.contains(name) {
                continue
            }
            if let nature = query.nature, facility.nature != nature { continue }
            if let minStar = query.minStar, facility.star < minStar { continue }
            if let maxPrice = query.maxMonthlyPrice, facility.priceMin > maxPrice { continue }
            if let hasFreeBeds = query.hasFreeBeds, (beds[position] > 0) != hasFreeBeds { continue }
            if !query.careLevels.allSatisfy(facility.careLevels.contains) { continue }
            let key = Self.sortKey(query.sort, facility: facility, freeBeds: beds[position], metres: metres)
            if let after, (key, facility.id) <= (after.key, after.id) { continue }
            matches.append((key, facility.id, position, metres))
        }
        matches.sort { ($0.key, $0.id) < ($1.key, $1.id) }
        let shown = matches.prefix(page.limit)
        let items = shown.map { match in
            EldercareHit(facility: facilities[match.position], bedsFree: beds[match.position],
                         distanceMetres: match.metres.map { Int64($0.rounded()) })
        }
        let next = matches.count > page.limit ? shown.last.map { PageCursor(key: Self.cursorPrefix(query.sort) + String($0.key), id: $0.id) } : nil
        return Page(items: items, next: next)
    }

    /// Ascending sort keys: nearest, cheapest, most stars, most free beds first; ties by id.
    static func sortKey(_ sort: EldercareQuery.Sort, facility: EldercareFacility, freeBeds: Int, metres: Double?) -> Int64 {
        switch sort {
        case .distance: Int64(((metres ?? 0) * 1000).rounded())  // millimetres
        case .price: Int64(facility.priceMin)
        case .star: Int64(-facility.star)
        case .freeBeds: Int64(-freeBeds)
        }
    }

    static func cursorPrefix(_ sort: EldercareQuery.Sort) -> String {
        switch sort {
        case .distance: "d"
        case .price: "p"
        case .star: "s"
        case .freeBeds: "f"
        }
    }

    static func cursor(_ cursor: PageCursor?, sort: EldercareQuery.Sort) throws(DomainError) -> (key: Int64, id: Int64)? {
        guard let cursor else { return nil }
        let prefix = cursorPrefix(sort)
        guard cursor.key.hasPrefix(prefix), let key = Int64(cursor.key.dropFirst(prefix.count)) else {
            throw .invalidParameter("cursor", "belongs to another kind of search")
        }
        return (key, cursor.id)
    }

    static func isPinyin(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isLetter } }
}

extension EldercareQuery {
    /// A query from the request's parameters, or the reason one of them is refused.
    public static func parse(near: String?, radiusKm: Double?, division: String?, name: String?, careLevels: [String], nature: String?,
                             minStar: Int?, maxMonthlyPrice: Int?, hasFreeBeds: Bool?, sort: String?) throws(DomainError) -> EldercareQuery {
        var query = EldercareQuery()
        if let near {
            guard let point = GeoPoint(parsing: near) else { throw .invalidParameter("near", "must be LAT,LNG in degrees, e.g. 32.04,118.78") }
            query.near = point
        }
        if let radiusKm {
            guard query.near != nil else { throw .invalidParameter("radius_km", "needs near") }
            guard radiusKm > 0, radiusKm <= EldercareService.maxRadiusKm else {
                throw .invalidParameter("radius_km", "must be more than 0 and at most \(Int(EldercareService.maxRadiusKm))")
            }
            query.radiusMetres = radiusKm * 1000
        }
        if let division {
            guard let code = DivisionCode(division) else { throw .invalidParameter("division", "must be a division code") }
            query.division = code
        }
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard (1...50).contains(trimmed.count) else { throw .invalidParameter("q", "must be 1 to 50 characters") }
            query.name = trimmed
        }
        for text in careLevels {
            guard let level = EldercareFacility.CareLevel(rawValue: text) else { throw .invalidParameter("care_level", "unknown level \(text)") }
            if !query.careLevels.contains(level) { query.careLevels.append(level) }
        }
        if let nature {
            guard let value = EldercareFacility.Nature(rawValue: nature) else { throw .invalidParameter("nature", "unknown nature \(nature)") }
            query.nature = value
        }
        if let minStar {
            guard (1...5).contains(minStar) else { throw .invalidParameter("min_star", "must be 1 to 5") }
            query.minStar = minStar
        }
        if let maxMonthlyPrice {
            guard maxMonthlyPrice >= 0 else { throw .invalidParameter("max_monthly_price", "must not be negative") }
            query.maxMonthlyPrice = maxMonthlyPrice
        }
        query.hasFreeBeds = hasFreeBeds
        if let sort {
            guard let value = Sort(rawValue: sort) else { throw .invalidParameter("sort", "must be distance, price, star or free_beds") }
            guard value != .distance || query.near != nil else { throw .invalidParameter("sort", "distance needs near") }
            query.sort = value
        } else {
            query.sort = query.near == nil ? .price : .distance
        }
        return query
    }
}
