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

    public init(facility: EldercareFacility, bedsFree: Int, distanceMetres: Int64?) {
        self.facility = facility
        self.bedsFree = bedsFree
        self.distanceMetres = distanceMetres
    }
}

/// Every facility in memory, immutable, sorted by (division, id) so a division is one contiguous run, with a
/// spatial grid for radius searches (no row outside the search's box is read) and a character index for names.
/// Free beds change all day, so they live beside the catalogue, in `beds` (same positions).
public struct EldercareCatalog: Sendable {
    let facilities: [EldercareFacility]
    private let positionByID: [Int64: Int]
    private let grid: GeoGrid
    private let names: NameIndex
    /// The fields every filter reads, by position, apart from the facilities: a search near a busy point
    /// looks at thousands of candidates and should touch only these numbers, not copy whole facilities.
    private let points: [GeoPoint]
    private let ids: [Int64]
    private let cosLatitudes: [Double]
    private let careLevels: [UInt8]  // bit i: CareLevel.allCases[i] accepted
    private let stars: [Int8]
    private let prices: [Int32]  // the cheapest monthly price
    private let natures: [EldercareFacility.Nature]
    /// Identifies this catalogue (a new one after every reload), for anything derived from it.
    public let generation = Generation.next()

    public init(_ facilities: [EldercareFacility]) {
        self.facilities = facilities.sorted { ($0.division.rawValue, $0.id) < ($1.division.rawValue, $1.id) }
        positionByID = Dictionary(uniqueKeysWithValues: self.facilities.enumerated().map { ($1.id, $0) })
        points = self.facilities.map(\.location)
        ids = self.facilities.map(\.id)
        cosLatitudes = points.map(\.cosLatitude)
        grid = GeoGrid(points: points, cellDegrees: 0.01)  // about 1 km: facilities crowd city centres
        names = NameIndex(names: self.facilities.map(\.name))
        careLevels = self.facilities.map { Self.mask($0.careLevels) }
        stars = self.facilities.map { Int8($0.star) }
        prices = self.facilities.map { Int32(clamping: $0.priceMin) }
        natures = self.facilities.map(\.nature)
    }

    public var count: Int { facilities.count }
    public var all: [EldercareFacility] { facilities }

    func position(of id: Int64) -> Int? { positionByID[id] }

    static func mask(_ levels: [EldercareFacility.CareLevel]) -> UInt8 {
        levels.reduce(0) { $0 | (1 << UInt8(EldercareFacility.CareLevel.allCases.firstIndex(of: $1) ?? 0)) }
    }

    /// `beds[i]` is the free beds of the facility at position i.
    func search(_ query: EldercareQuery, beds: [Int], page: PageRequest) throws(DomainError) -> Page<EldercareHit> {
        let after = try Self.resume(from: page.after, sort: query.sort)
        // The candidates: inside the radius's box, else the division's run, else every facility.
        let candidates: [Int]
        let box = query.near.map { $0.boundingBox(metres: query.radiusMetres) }
        if let box {
            candidates = grid.candidates(in: box)
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
        let wantedLevels = Self.mask(query.careLevels)
        let ruler = query.near.map(GeoPoint.Ruler.init)
        // The page plus one, in order, kept sorted while the candidates stream by.
        let wanted = page.limit + 1
        var best: [(key: Int64, id: Int64, position: Int, metres: Double?)] = []
        best.reserveCapacity(wanted + 1)
        for position in candidates {
            // Cheap numeric filters first, then distance, then the facility's own fields.
            if careLevels[position] & wantedLevels != wantedLevels { continue }
            if let nature = query.nature, natures[position] != nature { continue }
            if let minStar = query.minStar, Int(stars[position]) < minStar { continue }
            if let maxPrice = query.maxMonthlyPrice, Int(prices[position]) > maxPrice { continue }
            if let hasFreeBeds = query.hasFreeBeds, (beds[position] > 0) != hasFreeBeds { continue }
            var metres: Double? = nil
            if let ruler, let box {
                let point = points[position]
                guard point.lat >= box.minLat, point.lat <= box.maxLat, point.lng >= box.minLng, point.lng <= box.maxLng else { continue }
                let distance = ruler.metres(to: point, cosLatitude: cosLatitudes[position])
                guard distance <= query.radiusMetres else { continue }
                metres = distance
            }
            if query.division != nil || query.name != nil {
                let facility = facilities[position]
                if let division = query.division, !division.contains(facility.division) { continue }
                if let pinyin {
                    guard facility.pinyin.matches(pinyin) else { continue }
                } else if let name = query.name, !facility.name.contains(name) {
                    continue
                }
            }
            let key = Self.sortKey(query.sort, star: Int(stars[position]), price: Int(prices[position]), freeBeds: beds[position], metres: metres)
            let id = ids[position]
            if let after, (key, id) <= (after.key, after.id) { continue }
            if best.count == wanted, let last = best.last, (key, id) >= (last.key, last.id) { continue }
            let index = best.firstIndex { (key, id) < ($0.key, $0.id) } ?? best.endIndex
            best.insert((key, id, position, metres), at: index)
            if best.count > wanted { best.removeLast() }
        }
        return Page(rows: best, limit: page.limit, item: { match in
            EldercareHit(facility: facilities[match.position], bedsFree: beds[match.position],
                         distanceMetres: match.metres.map { Int64($0.rounded()) })
        }, cursor: { Self.cursor(after: $0.key, id: $0.id, sort: query.sort) })
    }

    /// Ascending sort keys: nearest, cheapest, most stars, most free beds first; ties by id.
    static func sortKey(_ sort: EldercareQuery.Sort, star: Int, price: Int, freeBeds: Int, metres: Double?) -> Int64 {
        switch sort {
        case .distance: Int64(((metres ?? 0) * 1000).rounded())  // millimetres
        case .price: Int64(price)
        case .star: Int64(-star)
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

    /// Where the page asked for starts; refused when the cursor came from a search in another order.
    static func resume(from cursor: PageCursor?, sort: EldercareQuery.Sort) throws(DomainError) -> EldercareQuery.Resume? {
        guard let cursor else { return nil }
        let prefix = cursorPrefix(sort)
        guard cursor.key.hasPrefix(prefix), let key = Int64(cursor.key.dropFirst(prefix.count)) else {
            throw .invalidParameter("cursor", "belongs to another kind of search")
        }
        return EldercareQuery.Resume(key: key, id: cursor.id)
    }

    /// The cursor of a page that ends with the facility `id`, whose sort key is `key`.
    static func cursor(after key: Int64, id: Int64, sort: EldercareQuery.Sort) -> PageCursor {
        PageCursor(key: cursorPrefix(sort) + String(key), id: id)
    }

    public static func isPinyin(_ text: String) -> Bool { !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isLetter } }
}

extension EldercareQuery {
    /// A query from the request's parameters, or the reason one of them is refused.
    public static func parse(near: String?, radiusKm: Double?, division: String?, name: String?, careLevels: [String], nature: String?,
                             minStar: Int?, maxMonthlyPrice: Int?, hasFreeBeds: Bool?, sort: String?) throws(DomainError) -> EldercareQuery {
        var query = EldercareQuery()
        query.near = try near.map(Validate.near)
        if let radiusKm { query.radiusMetres = try Validate.radiusMetres(radiusKm, near: query.near, maxKm: EldercareService.maxRadiusKm) }
        query.division = try division.map { text throws(DomainError) in try Validate.divisionCode(text, parameter: "division") }
        query.name = try name.map { text throws(DomainError) in try Validate.name(text, parameter: "q") }
        for text in careLevels {
            let level: EldercareFacility.CareLevel = try Validate.oneOf(text, parameter: "care_level")
            if !query.careLevels.contains(level) { query.careLevels.append(level) }
        }
        query.nature = try nature.map { text throws(DomainError) in try Validate.oneOf(text, parameter: "nature") }
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
            let value: Sort = try Validate.oneOf(sort, parameter: "sort")
            guard value != .distance || query.near != nil else { throw .invalidParameter("sort", "distance needs near") }
            query.sort = value
        } else {
            query.sort = query.near == nil ? .price : .distance
        }
        return query
    }
}
