import Foundation

/// What a directory search asks for.
public struct DirectoryQuery: Sendable, Equatable {
    public static let defaultRadiusKm = 10.0
    public static let maxRadiusKm = 100.0

    public var type: String
    public var division: DivisionCode?
    public var name: String?
    public var near: GeoPoint?
    public var radiusMetres: Double

    public init(type: String, division: DivisionCode? = nil, name: String? = nil, near: GeoPoint? = nil,
                radiusKm: Double = DirectoryQuery.defaultRadiusKm) {
        self.type = type
        self.division = division
        self.name = name
        self.near = near
        self.radiusMetres = radiusKm * 1000
    }
}

extension DirectoryQuery {
    /// Where the page asked for starts; refused when the cursor came from the other kind of search.
    public func resume(from cursor: PageCursor?) throws(DomainError) -> Resume? {
        guard let cursor else { return nil }
        if near != nil {
            // Distance keys are written "m<millimetres>" so they cannot pass for a division code.
            guard cursor.key.hasPrefix("m"), let millimetres = Int64(cursor.key.dropFirst()) else {
                throw .invalidParameter("cursor", "belongs to another kind of search")
            }
            return .distance(millimetres: millimetres, id: cursor.id)
        }
        guard DivisionCode(cursor.key) != nil else { throw .invalidParameter("cursor", "belongs to another kind of search") }
        return .division(cursor.key, id: cursor.id)
    }

    /// The cursor of a page that ends with `row`.
    public static func cursor(after row: Row) -> PageCursor {
        row.millimetres.map { PageCursor(key: "m\($0)", id: row.id) } ?? PageCursor(key: row.divisionCode, id: row.id)
    }
}

/// A directory entry as found by a search: with its distance when the search was `near` a point.
public struct DirectoryHit: Sendable {
    public let entry: DirectoryEntry
    public let distanceMetres: Int64?

    public init(entry: DirectoryEntry, distanceMetres: Int64?) {
        self.entry = entry
        self.distanceMetres = distanceMetres
    }
}

/// An immutable, indexed snapshot of the look-up data (divisions and directory), served from memory.
/// Look-up data changes rarely; the store is the source of truth and a new snapshot replaces this one
/// after every change. `version` fingerprints the content, so ETags agree across restarts and instances.
public struct LookupCatalog: Sendable {
    public let version: String
    /// Identifies this catalogue among those of the process, newer ones higher (`Generation`).
    public let generation = Generation.next()
    public let resourceTypes: [ResourceType]

    private let divisions: [Division]  // by code
    private let divisionPosition: [DivisionCode: Int]
    private let childPositions: [DivisionCode: [Int]]
    private let divisionNames: NameIndex
    private let directories: [String: TypeDirectory]

    public init(divisions: [Division], resourceTypes: [ResourceType], entries: [DirectoryEntry]) {
        let divisions = divisions.sorted { $0.code < $1.code }
        self.divisions = divisions
        var position: [DivisionCode: Int] = [:]
        var children: [DivisionCode: [Int]] = [:]
        for (index, division) in divisions.enumerated() {
            position[division.code] = index
            if let parent = division.parentCode { children[parent, default: []].append(index) }
        }
        divisionPosition = position
        childPositions = children
        divisionNames = NameIndex(names: divisions.map(\.name))
        self.resourceTypes = resourceTypes
        let byType = Dictionary(grouping: entries, by: \.type)
        directories = Dictionary(uniqueKeysWithValues: resourceTypes.map { ($0.slug, TypeDirectory(entries: byType[$0.slug] ?? [])) })

        var fingerprint = Fingerprint()
        for division in divisions { fingerprint.add(division.code.rawValue, division.name, division.functionalZone ? "1" : "0") }
        for type in resourceTypes { fingerprint.add(type.slug, type.name) }
        for entry in entries.sorted(by: { $0.id < $1.id }) { fingerprint.add(entry) }
        version = fingerprint.hex
    }

    public static let empty = LookupCatalog(divisions: [], resourceTypes: [], entries: [])

    // MARK: Divisions

    public func division(_ code: DivisionCode) -> Division? {
        divisionPosition[code].map { divisions[$0] }
    }

    /// The divisions directly under `code`, by code; nil when `code` is unknown.
    public func children(of code: DivisionCode, page: PageRequest) throws(DomainError) -> Page<Division>? {
        guard divisionPosition[code] != nil else { return nil }
        return try pageOfDivisions(childPositions[code] ?? [], page: page)
    }

    /// Divisions whose name contains `name`, by code.
    public func searchDivisions(name: String, level: DivisionLevel?, page: PageRequest) throws(DomainError) -> Page<Division> {
        let positions = divisionNames.candidates(for: name).filter {
            let division = divisions[$0]
            return (level == nil || division.level == level) && division.name.contains(name)
        }
        return try pageOfDivisions(positions, page: page)
    }

    private func pageOfDivisions(_ positions: [Int], page: PageRequest) throws(DomainError) -> Page<Division> {
        let after = try Self.resume(from: page.after)
        let start = after.map { after in positions.firstIndex { divisions[$0].code > after } ?? positions.endIndex } ?? 0
        let slice = positions[start...].prefix(page.limit + 1).map { divisions[$0] }
        return Page(rows: slice, limit: page.limit, item: { $0 }, cursor: { Self.cursor(after: $0.code) })
    }

    /// Where a page of divisions starts: after the code its cursor names (`searchDivisions`' order is by code).
    public static func resume(from cursor: PageCursor?) throws(DomainError) -> DivisionCode? {
        guard let cursor else { return nil }
        guard let code = DivisionCode(cursor.key) else { throw .invalidParameter("cursor", "belongs to another kind of search") }
        return code
    }

    public static func cursor(after code: DivisionCode) -> PageCursor { PageCursor(key: code.rawValue, id: 0) }

    // MARK: Directory

    public func resourceType(_ slug: String) -> ResourceType? { resourceTypes.first { $0.slug == slug } }

    /// Every directory entry, in no particular order.
    public var allEntries: [DirectoryEntry] { directories.values.flatMap(\.entries) }

    public func entryCount(of type: String) -> Int { directories[type]?.entries.count ?? 0 }

    public func entry(type: String, id: Int64) -> DirectoryEntry? { directories[type]?.entry(id: id) }

    /// Entries of one type; nil when the type is unknown.
    public func search(_ query: DirectoryQuery, page: PageRequest) throws(DomainError) -> Page<DirectoryHit>? {
        guard let directory = directories[query.type] else { return nil }
        return try directory.search(query, page: page)
    }
}

/// The entries of one resource type, sorted by (division code, id), with a name index and a geo grid.
struct TypeDirectory: Sendable {
    let entries: [DirectoryEntry]
    private let positionByID: [Int64: Int]
    private let names: NameIndex
    private let grid: GeoGrid
    /// Coordinates and ids by position, apart from the entries, so a radius search touches only numbers.
    private let points: [GeoPoint]
    private let ids: [Int64]

    init(entries: [DirectoryEntry]) {
        let sorted = entries.sorted { ($0.divisionCode.rawValue, $0.id) < ($1.divisionCode.rawValue, $1.id) }
        self.entries = sorted
        positionByID = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1.id, $0) })
        names = NameIndex(names: sorted.map(\.name))
        points = sorted.map(\.location)
        ids = sorted.map(\.id)
        grid = GeoGrid(points: points)
    }

    func entry(id: Int64) -> DirectoryEntry? { positionByID[id].map { entries[$0] } }

    func search(_ query: DirectoryQuery, page: PageRequest) throws(DomainError) -> Page<DirectoryHit> {
        if let near = query.near { return try searchNear(near, query, page: page) }

        // Entries are sorted by (division code, id): a division is a contiguous run of them.
        let prefix = query.division?.rawValue ?? ""
        var start = lowerBound { $0.divisionCode.rawValue >= prefix }
        let end = lowerBound { $0.divisionCode.rawValue >= prefix + ":" }  // ':' sorts right after '9'
        if case .division(let key, let id) = try query.resume(from: page.after) {
            start = max(start, lowerBound { ($0.divisionCode.rawValue, $0.id) > (key, id) })
        }
        guard start < end else { return Page(items: [], next: nil) }

        var found: [DirectoryEntry] = []
        if let name = query.name {
            for position in names.candidates(for: name) where position >= start && position < end {
                if entries[position].name.contains(name) { found.append(entries[position]) }
                if found.count > page.limit { break }
            }
        } else {
            found = Array(entries[start..<min(end, start + page.limit + 1)])
        }
        return Page(rows: found, limit: page.limit, item: { DirectoryHit(entry: $0, distanceMetres: nil) }, cursor: {
            DirectoryQuery.cursor(after: .init(id: $0.id, divisionCode: $0.divisionCode.rawValue, millimetres: nil))
        })
    }

    private func searchNear(_ centre: GeoPoint, _ query: DirectoryQuery, page: PageRequest) throws(DomainError) -> Page<DirectoryHit> {
        let after: (millimetres: Int64, id: Int64)? =
            if case .distance(let millimetres, let id) = try query.resume(from: page.after) { (millimetres, id) } else { nil }
        let box = centre.boundingBox(metres: query.radiusMetres)
        // The page plus one, nearest first, kept sorted while the candidates stream by: a page is at most
        // 101 items, while a dense district can have thousands within the radius.
        let wanted = page.limit + 1
        var nearest: [(millimetres: Int64, id: Int64, position: Int)] = []
        nearest.reserveCapacity(wanted + 1)
        for position in grid.candidates(in: box) {
            let point = points[position]
            guard point.lat >= box.minLat, point.lat <= box.maxLat, point.lng >= box.minLng, point.lng <= box.maxLng else { continue }
            let metres = centre.distance(to: point)
            guard metres <= query.radiusMetres else { continue }
            let key = (millimetres: Int64((metres * 1000).rounded()), id: ids[position])
            if let after, key <= after { continue }
            if nearest.count == wanted, let last = nearest.last, key >= (last.millimetres, last.id) { continue }
            if let division = query.division, !division.contains(entries[position].divisionCode) { continue }
            if let name = query.name, !entries[position].name.contains(name) { continue }
            let index = nearest.firstIndex { (key.millimetres, key.id) < ($0.millimetres, $0.id) } ?? nearest.endIndex
            nearest.insert((key.millimetres, key.id, position), at: index)
            if nearest.count > wanted { nearest.removeLast() }
        }
        return Page(rows: nearest, limit: page.limit, item: { DirectoryHit(entry: entries[$0.position], distanceMetres: ($0.millimetres + 500) / 1000) }, cursor: {
            DirectoryQuery.cursor(after: .init(id: $0.id, divisionCode: entries[$0.position].divisionCode.rawValue, millimetres: $0.millimetres))
        })
    }

    /// The first position whose entry satisfies `isAtOrAfter` (which must be false, then true, along the array).
    private func lowerBound(_ isAtOrAfter: (DirectoryEntry) -> Bool) -> Int {
        var low = 0, high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if isAtOrAfter(entries[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// FNV-1a over the catalogue's fields: a cheap content fingerprint for ETags.
struct Fingerprint {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ fields: String...) {
        for field in fields {
            for byte in field.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0x1F) &* 0x100_0000_01b3
        }
    }

    mutating func add(_ entry: DirectoryEntry) {
        add(String(entry.id), entry.type, entry.name, entry.divisionCode.rawValue, entry.address,
            String(entry.location.lat), String(entry.location.lng), entry.phone ?? "", entry.openingHours ?? "",
            entry.services.joined(separator: ";"), String(entry.updatedAt.timeIntervalSince1970))
    }

    var hex: String { String(hash, radix: 16) }
}
