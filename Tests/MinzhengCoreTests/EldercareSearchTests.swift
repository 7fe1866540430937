import Foundation
import MinzhengCore
import MinzhengTesting
import Testing

/// Eldercare search over the shipped sample facilities, each answer checked against a plain computation here.
@Suite struct EldercareSearchTests {
    /// The facilities as a unit-test store; the product stores them in SQLite (tested at the HTTP level).
    final class MemoryStore: EldercareStore {
        let all: [EldercareFacility]
        init(_ all: [EldercareFacility]) { self.all = all }
        func facilities() async throws -> [EldercareFacility] { all }
        func version() async throws -> Int64 { 1 }
        func setFreeBeds(id: Int64, to free: Int, check: @escaping @Sendable (Int) throws -> Void,
                         audit: @escaping @Sendable (Int) -> AuditRecord) async throws -> Int? { nil }
    }

    static let facilities: [EldercareFacility] = {
        let divisions = Set(try! SeedSet.load(from: Fixtures.seedDirectory).divisions.map(\.code))
        let feed = try! EldercareFeed.load(Fixtures.seedDirectory.appendingPathComponent("eldercare-facilities.csv"), divisions: divisions)
        precondition(feed.rejections.isEmpty, "\(feed.rejections)")
        return feed.facilities
    }()

    static let centre = (lat: 32.05, lng: 118.78)  // central Nanjing

    func service() async throws -> EldercareService {
        let service = EldercareService(store: MemoryStore(Self.facilities))
        try await service.reload()
        return service
    }

    /// Every page of a search, in order, with the page size `limit`.
    func all(_ service: EldercareService, _ query: EldercareQuery, limit: Int = 7) async throws -> [EldercareHit] {
        var hits: [EldercareHit] = []
        var page = try await service.search(query, page: PageRequest(limit: limit))
        hits += page.items
        while let next = page.next {
            page = try await service.search(query, page: PageRequest(limit: limit, after: PageCursor(token: next.token)))
            hits += page.items
        }
        return hits
    }

    func metres(_ facility: EldercareFacility) -> Double {
        Fixtures.haversineMetres(Self.centre.lat, Self.centre.lng, facility.location.lat, facility.location.lng)
    }

    @Test func nearestFirstWithinTheRadiusByGreatCircle() async throws {
        let service = try await service()
        var query = EldercareQuery()
        query.near = GeoPoint(lat: Self.centre.lat, lng: Self.centre.lng)
        query.radiusMetres = 8_000
        let hits = try await all(service, query)
        let expected = Self.facilities.filter { metres($0) <= 8_000 }.sorted { (metres($0), $0.id) < (metres($1), $1.id) }
        #expect(expected.count > 20)  // several pages
        #expect(hits.map(\.facility.id) == expected.map(\.id))
        for hit in hits { #expect(abs(Double(hit.distanceMetres!) - metres(hit.facility)) <= 1) }
    }

    @Test func everyFilterHoldsAndNothingIsLeftOut() async throws {
        let service = try await service()
        typealias Check = (EldercareFacility) -> Bool
        var cases: [(String, EldercareQuery, Check)] = []
        func add(_ label: String, _ change: (inout EldercareQuery) -> Void, _ check: @escaping Check) {
            var query = EldercareQuery()
            query.sort = .price
            change(&query)
            cases.append((label, query, check))
        }
        add("division", { $0.division = DivisionCode("3201") }, { $0.division.rawValue.hasPrefix("3201") })
        add("name", { $0.name = "敬老院" }, { $0.name.contains("敬老院") })
        add("care levels", { $0.careLevels = [.dementia, .fullCare] }, { $0.careLevels.contains(.dementia) && $0.careLevels.contains(.fullCare) })
        add("nature", { $0.nature = .publicBuiltPrivateRun }, { $0.nature == .publicBuiltPrivateRun })
        add("stars", { $0.minStar = 4 }, { $0.star >= 4 })
        add("price", { $0.maxMonthlyPrice = 3000 }, { $0.priceMin <= 3000 })
        add("free beds", { $0.hasFreeBeds = true }, { $0.bedsFree > 0 })
        add("no free beds", { $0.hasFreeBeds = false }, { $0.bedsFree == 0 })
        add("together", {
            $0.division = DivisionCode("32")
            $0.careLevels = [.partialCare]
            $0.minStar = 3
            $0.hasFreeBeds = true
        }, { $0.careLevels.contains(.partialCare) && $0.star >= 3 && $0.bedsFree > 0 })
        for (label, query, check) in cases {
            let found = try await all(service, query, limit: 50).map(\.facility.id)
            let expected = Self.facilities.filter(check).map(\.id)
            #expect(!expected.isEmpty, "\(label)")
            #expect(found.count == Set(found).count, "\(label): an item came twice")
            #expect(Set(found) == Set(expected), "\(label)")
        }
    }

    @Test func pinyinFullAndInitialsFindChineseNames() async throws {
        let service = try await service()
        let homes = Set(Self.facilities.filter { $0.name.contains("敬老院") }.map(\.id))
        for typed in ["jinglaoyuan", "JingLaoYuan", "jly"] {
            var query = EldercareQuery()
            query.name = typed
            let found = Set(try await all(service, query, limit: 100).map(\.facility.id))
            #expect(homes.isSubset(of: found), "\(typed)")
            if typed != "jly" { #expect(found == homes, "\(typed)") }
        }
        #expect(NamePinyin(of: "颐和养老院") == NamePinyin(full: "yiheyanglaoyuan", initials: "yhyly"))
    }

    @Test func everySortPagesWithoutSkipsOrRepeats() async throws {
        let service = try await service()
        let near = GeoPoint(lat: Self.centre.lat, lng: Self.centre.lng)!
        let inRange = Self.facilities.filter { metres($0) <= 20_000 }
        let keys: [(EldercareQuery.Sort, (EldercareFacility) -> Double)] = [
            (.distance, { metres($0) }), (.price, { Double($0.priceMin) }), (.star, { Double(-$0.star) }), (.freeBeds, { Double(-$0.bedsFree) }),
        ]
        for (sort, key) in keys {
            var query = EldercareQuery()
            query.near = near
            query.radiusMetres = 20_000
            query.sort = sort
            let found = try await all(service, query, limit: 9).map(\.facility.id)
            let expected = inRange.sorted { (key($0), $0.id) < (key($1), $1.id) }.map(\.id)
            #expect(found == expected, "\(sort)")
        }
    }

    @Test func refusedQueries() async throws {
        let service = try await service()
        func code(_ body: () throws -> Void) -> String? {
            do { try body(); return nil } catch let error as DomainError { return error.code } catch { return "\(error)" }
        }
        let parse = { (near: String?, radius: Double?, sort: String?) in
            try EldercareQuery.parse(near: near, radiusKm: radius, division: nil, name: nil, careLevels: [], nature: nil, minStar: nil,
                                     maxMonthlyPrice: nil, hasFreeBeds: nil, sort: sort)
        }
        #expect(code { _ = try parse(nil, nil, "distance") } == "invalid_parameter")
        #expect(code { _ = try parse(nil, 5, nil) } == "invalid_parameter")
        #expect(code { _ = try parse("32.0,118.7", 51, nil) } == "invalid_parameter")
        #expect(code { _ = try parse("91,118.7", nil, nil) } == "invalid_parameter")
        #expect(try parse("32.0,118.7", nil, nil).sort == .distance)
        // A cursor of one sort is refused by another.
        var byPrice = EldercareQuery()
        byPrice.sort = .price
        let next = try #require(try await service.search(byPrice, page: PageRequest(limit: 2)).next)
        var byStar = EldercareQuery()
        byStar.sort = .star
        let refusal = await #expect(throws: DomainError.self) { _ = try await service.search(byStar, page: PageRequest(limit: 2, after: next)) }
        #expect(refusal?.code == "invalid_parameter")
    }
}
