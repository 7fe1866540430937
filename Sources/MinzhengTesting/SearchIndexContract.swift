import Foundation
import MinzhengCore

/// What every `SearchIndex` must do: answer each search, page by page, exactly as the in-memory catalogues answer it
/// over the same stores: the same items in the same order, the same distances and free beds, the same cursors, and
/// the same refusals. The queries are drawn at random (a fixed seed, so a failure repeats) from the data itself:
/// names cut from stored names, points near stored places, every filter and sort.
/// The stores must hold the shipped seed set, its social organisations and its eldercare facilities.
public enum SearchIndexContract {
    public static func run(_ index: any SearchIndex, lookups: any LookupStore, socialOrgs: any SocialOrgStore,
                           eldercare: any EldercareStore, queries: Int = 150, seed: UInt64 = 20261130) async throws {
        func check(_ condition: Bool, _ promise: @autoclosure () -> String) throws {
            try ContractFailure.check(condition, "SearchIndex", condition ? "" : promise())
        }
        // Some facilities full, so that `has_free_beds` and the free-beds order have something to tell apart.
        let facilities = try await eldercare.facilities()
        for facility in facilities.prefix(40) where facility.bedsFree > 0 {
            _ = try await eldercare.setFreeBeds(id: facility.id, to: 0, check: { _ in }) { before in
                AuditRecord(staffID: 0, action: "test.beds_free", target: "eldercare:\(facility.id)", at: Date(), before: "\(before)", after: "0")
            }
        }

        let memory = Services(index: nil, lookups: lookups, socialOrgs: socialOrgs, eldercare: eldercare)
        let database = Services(index: index, lookups: lookups, socialOrgs: socialOrgs, eldercare: eldercare)
        try await memory.reload()
        try await database.reload()
        let catalog = memory.lookups.catalog
        let entries = catalog.allEntries.sorted { $0.id < $1.id }  // in a fixed order, so the seed picks the same ones
        let organisations = memory.socialOrgs.registry.all
        let homes = memory.eldercare.catalog.all
        try check(!entries.isEmpty && !organisations.isEmpty && !homes.isEmpty, "the stores hold the seed data")
        var random = SplitMix64(seed: seed)
        var pages = 0

        /// Walks every page of one search on both sides, at most 30 pages, comparing each.
        func compare(_ what: String, limit: Int, _ search: (Services, PageRequest) async throws -> (items: [String], next: PageCursor?)) async throws {
            var after: PageCursor? = nil
            for _ in 0..<30 {
                let page = PageRequest(limit: limit, after: after)
                let expected = try await outcome { try await search(memory, page) }
                let found = try await outcome { try await search(database, page) }
                pages += 1
                try check(found == expected, "\(what), limit \(limit), after \(after?.token ?? "-"): memory \(expected), database \(found)")
                guard case .page(_, let next) = expected, let next else { return }
                after = next
            }
        }

        // Directory: by type, division, name, near a point (radius up to the maximum), each with a random page size.
        let types = catalog.resourceTypes.map(\.slug)
        for _ in 0..<queries {
            var query = DirectoryQuery(type: random.pick(types))
            let sample = random.pick(entries)
            if random.chance(0.4) { query.division = random.prefix(of: sample.divisionCode) }
            if random.chance(0.4) { query.name = random.piece(of: sample.name) }
            if random.chance(0.6) {
                query.near = sample.location.nudged(by: &random)
                query.radiusMetres = random.pick([500, 2_000, 10_000, 30_000, 100_000])
            }
            try await compare("directory \(query)", limit: random.limit()) { services, page in
                guard let (found, _) = try await services.lookups.search(query, page: page) else { return ([], nil) }
                return (found.items.map { "\($0.entry.id):\($0.distanceMetres.map(String.init) ?? "-")" }, found.next)
            }
        }
        // Divisions by name and level.
        let divisions = try await lookups.divisions()
        for _ in 0..<queries {
            let name = random.piece(of: random.pick(divisions).name)
            let level = random.chance(0.5) ? random.pick(DivisionLevel.allCases) : nil
            try await compare("divisions \(name) \(level.map(\.rawValue) ?? "-")", limit: random.limit()) { services, page in
                let found = try await services.lookups.searchDivisions(name: name, level: level, page: page)
                return (found.items.map(\.code.rawValue), found.next)
            }
        }
        // Social organisations by every filter.
        for _ in 0..<queries {
            let sample = random.pick(organisations)
            let name = random.chance(0.6) ? random.piece(of: sample.name) : nil
            let kind = random.chance(0.3) ? sample.kind.rawValue : nil
            let status = random.chance(0.3) ? random.pick(SocialOrg.Status.allCases).rawValue : nil
            let division = random.chance(0.4) ? random.prefix(of: sample.division).rawValue : nil
            try await compare("social orgs \(name ?? "-") \(kind ?? "-") \(status ?? "-") \(division ?? "-")", limit: random.limit()) { services, page in
                let found = try await services.socialOrgs.search(name: name, kind: kind, status: status, division: division, page: page)
                return (found.items.map(\.code.value), found.next)
            }
        }
        // Eldercare by every filter and every sort, names in Chinese and in pinyin.
        for _ in 0..<queries {
            let sample = random.pick(homes)
            var query = EldercareQuery()
            if random.chance(0.6) {
                query.near = sample.location.nudged(by: &random)
                query.radiusMetres = random.pick([1_000, 5_000, 10_000, 50_000])
            }
            if random.chance(0.3) { query.division = random.prefix(of: sample.division) }
            if random.chance(0.4) {
                query.name = random.pick([random.piece(of: sample.name), random.piece(of: sample.pinyin.full), random.piece(of: sample.pinyin.initials)])
            }
            if random.chance(0.3) { query.careLevels = [random.pick(EldercareFacility.CareLevel.allCases)] }
            if random.chance(0.2) { query.nature = random.pick(EldercareFacility.Nature.allCases) }
            if random.chance(0.2) { query.minStar = Int(random.next() % 5) + 1 }
            if random.chance(0.2) { query.maxMonthlyPrice = sample.priceMin }
            if random.chance(0.2) { query.hasFreeBeds = random.chance(0.5) }
            let sorts = EldercareQuery.Sort.allCases.filter { $0 != .distance || query.near != nil }
            query.sort = random.pick(sorts)
            try await compare("eldercare \(query)", limit: random.limit()) { services, page in
                let found = try await services.eldercare.search(query, page: page)
                return (found.items.map { "\($0.facility.id):\($0.bedsFree):\($0.distanceMetres.map(String.init) ?? "-")" }, found.next)
            }
        }
        // Wildcards are text, and a cursor of another search is refused alike.
        for name in ["%", "_", "\\", "中%", "a_b"] {
            try await compare("directory named \(name)", limit: 20) { services, page in
                let found = try await services.lookups.search(DirectoryQuery(type: types[0], name: name), page: page)
                return (found?.page.items.map { String($0.entry.id) } ?? [], found?.page.next)
            }
        }
        let foreign = PageRequest(limit: 5, after: PageCursor(key: "m12", id: 3))
        try await compare("divisions after a distance cursor", limit: 5) { services, _ in
            let found = try await services.lookups.searchDivisions(name: "南", level: nil, page: foreign)
            return (found.items.map(\.code.rawValue), found.next)
        }
        try check(pages > queries * 4, "enough pages compared (\(pages))")
    }

    /// The same three services over the same stores, with and without the index.
    private struct Services {
        let lookups: LookupService
        let socialOrgs: SocialOrgService
        let eldercare: EldercareService

        init(index: (any SearchIndex)?, lookups: any LookupStore, socialOrgs: any SocialOrgStore, eldercare: any EldercareStore) {
            self.lookups = LookupService(store: lookups, index: index)
            self.socialOrgs = SocialOrgService(store: socialOrgs, index: index)
            self.eldercare = EldercareService(store: eldercare, index: index)
        }

        func reload() async throws {
            try await lookups.reload()
            try await socialOrgs.reload()
            try await eldercare.reload()
        }
    }

    /// A page as compared: its items and cursor, or the code of the refusal.
    private enum Outcome: Equatable, CustomStringConvertible {
        case page([String], next: PageCursor?)
        case refused(String)

        var description: String {
            switch self {
            case .page(let items, let next): "\(items) next \(next?.token ?? "-")"
            case .refused(let code): "refused \(code)"
            }
        }
    }

    private static func outcome(_ body: () async throws -> (items: [String], next: PageCursor?)) async throws -> Outcome {
        do {
            let (items, next) = try await body()
            return .page(items, next: next)
        } catch let error as DomainError {
            return .refused(error.code)
        }
    }
}

/// A small seeded generator (SplitMix64), so that a failing query comes back on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    mutating func limit() -> Int { pick([1, 2, 3, 7, 20, 100]) }

    /// One to three characters from `text`, or now and then a string found nowhere.
    mutating func piece(of text: String) -> String {
        let characters = Array(text)
        guard !characters.isEmpty, !chance(0.05) else { return "无此名称" }
        let length = min(characters.count, Int(next() % 3) + 1)
        let start = Int(next() % UInt64(characters.count - length + 1))
        return String(characters[start..<(start + length)])
    }

    /// The code itself or one of the divisions above it.
    mutating func prefix(of code: DivisionCode) -> DivisionCode {
        let lengths = [2, 4, 6, 9].filter { $0 <= code.rawValue.count }
        return DivisionCode(String(code.rawValue.prefix(pick(lengths)))) ?? code
    }
}

extension GeoPoint {
    /// A point up to about 20 km away.
    fileprivate func nudged(by random: inout SplitMix64) -> GeoPoint {
        let dLat = (Double(random.next() % 4001) - 2000) / 10_000
        let dLng = (Double(random.next() % 4001) - 2000) / 10_000
        return GeoPoint(lat: lat + dLat, lng: lng + dLng) ?? self
    }
}
