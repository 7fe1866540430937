import Foundation
import MinzhengCore
import MinzhengTesting
import Testing

@Suite struct LookupCatalogTests {
    static let divisions: [Division] = [
        .init(code: DivisionCode("32")!, name: "江苏省"),
        .init(code: DivisionCode("3201")!, name: "南京市"),
        .init(code: DivisionCode("320102")!, name: "玄武区"),
        .init(code: DivisionCode("320104")!, name: "秦淮区"),
        .init(code: DivisionCode("3202")!, name: "无锡市"),
        .init(code: DivisionCode("320205")!, name: "锡山区"),
    ]
    static let types = [ResourceType(slug: "eldercare-facility", name: "养老机构"), ResourceType(slug: "cemetery", name: "公墓")]

    /// 120 entries on a lattice around 南京 and 无锡, with names from a small vocabulary.
    static let entries: [DirectoryEntry] = (1...120).map { i in
        let county = ["320102", "320104", "320205"][i % 3]
        let base = county == "320205" ? (31.58, 120.35) : (32.04, 118.79)
        return DirectoryEntry(
            id: Int64(i), type: i % 10 == 0 ? "cemetery" : "eldercare-facility",
            name: ["康乐", "福寿", "松鹤"][i % 3] + "养老院" + String(i), divisionCode: DivisionCode(county)!,
            address: "", location: GeoPoint(lat: base.0 + Double(i % 11) * 0.01, lng: base.1 + Double(i % 7) * 0.013)!,
            phone: nil, openingHours: nil, services: [], updatedAt: Date(timeIntervalSince1970: 0))
    }
    let catalog = LookupCatalog(divisions: divisions, resourceTypes: types, entries: entries)

    /// Follows `next` until the end, failing on a loop.
    func all(_ query: DirectoryQuery, limit: Int) throws -> [DirectoryHit] {
        var hits: [DirectoryHit] = []
        var page = PageRequest(limit: limit)
        for _ in 0..<1000 {
            let found = try #require(try catalog.search(query, page: page))
            #expect(found.items.count <= limit)
            hits += found.items
            guard let next = found.next else { return hits }
            let decoded = PageCursor(token: next.token)
            #expect(decoded == next)
            page = PageRequest(limit: limit, after: decoded)
        }
        Issue.record("paging did not end")
        return hits
    }

    @Test func pagingVisitsEveryEntryOnceInOrder() throws {
        let hits = try all(DirectoryQuery(type: "eldercare-facility"), limit: 7)
        let expected = Self.entries.filter { $0.type == "eldercare-facility" }
            .sorted { ($0.divisionCode.rawValue, $0.id) < ($1.divisionCode.rawValue, $1.id) }
        #expect(hits.map(\.entry.id) == expected.map(\.id))
    }

    @Test func divisionSelectsEverythingUnderIt() throws {
        let nanjing = try all(DirectoryQuery(type: "eldercare-facility", division: DivisionCode("3201")), limit: 5)
        #expect(!nanjing.isEmpty)
        #expect(nanjing.allSatisfy { $0.entry.divisionCode.rawValue.hasPrefix("3201") })
        #expect(nanjing.count == Self.entries.filter { $0.type == "eldercare-facility" && $0.divisionCode.rawValue.hasPrefix("3201") }.count)
        #expect(try all(DirectoryQuery(type: "eldercare-facility", division: DivisionCode("3203")), limit: 5).isEmpty)
    }

    @Test func oneChineseCharacterFindsNames() throws {
        let hits = try all(DirectoryQuery(type: "eldercare-facility", name: "鹤"), limit: 4)
        let expected = Self.entries.filter { $0.type == "eldercare-facility" && $0.name.contains("鹤") }
        #expect(Set(hits.map(\.entry.id)) == Set(expected.map(\.id)))
        #expect(hits.count == expected.count)
        #expect(try all(DirectoryQuery(type: "eldercare-facility", name: "殡"), limit: 4).isEmpty)
    }

    @Test func nearFindsExactlyTheEntriesWithinTheRadiusNearestFirst() throws {
        let centre = try #require(GeoPoint(lat: 32.07, lng: 118.83))
        let hits = try all(DirectoryQuery(type: "eldercare-facility", near: centre, radiusKm: 4), limit: 6)
        let expected = Self.entries.filter {
            $0.type == "eldercare-facility" && Fixtures.haversineMetres(32.07, 118.83, $0.location.lat, $0.location.lng) <= 4000
        }
        #expect(!expected.isEmpty)
        #expect(Set(hits.map(\.entry.id)) == Set(expected.map(\.id)))
        #expect(hits.count == expected.count)
        let distances = hits.compactMap(\.distanceMetres)
        #expect(distances == distances.sorted())
        for hit in hits {
            let metres = Fixtures.haversineMetres(32.07, 118.83, hit.entry.location.lat, hit.entry.location.lng)
            #expect(abs(Double(hit.distanceMetres ?? -1) - metres) <= 1)
        }
    }

    @Test func aCursorFromAnotherKindOfSearchIsRefused() throws {
        let page = PageRequest(limit: 5, after: PageCursor(key: "320102", id: 3))
        let near = DirectoryQuery(type: "eldercare-facility", near: GeoPoint(lat: 32, lng: 118.8))
        #expect(throws: DomainError.self) { try catalog.search(near, page: page) }
        let nearPage = PageRequest(limit: 5, after: PageCursor(key: "m1000", id: 3))
        #expect(throws: DomainError.self) { try catalog.search(DirectoryQuery(type: "eldercare-facility"), page: nearPage) }
    }

    @Test func unknownTypeIsNil() throws {
        #expect(try catalog.search(DirectoryQuery(type: "nope"), page: PageRequest()) == nil)
    }

    @Test func divisionsByNameAndChildren() throws {
        #expect(try catalog.searchDivisions(name: "秦", level: nil, page: PageRequest()).items.map(\.name) == ["秦淮区"])
        #expect(try catalog.searchDivisions(name: "区", level: .county, page: PageRequest()).items.count == 3)
        #expect(try catalog.searchDivisions(name: "区", level: .city, page: PageRequest()).items.isEmpty)
        let first = try #require(try catalog.children(of: DivisionCode("32")!, page: PageRequest(limit: 1)))
        #expect(first.items.map(\.name) == ["南京市"])
        let second = try #require(try catalog.children(of: DivisionCode("32")!, page: PageRequest(limit: 1, after: first.next)))
        #expect(second.items.map(\.name) == ["无锡市"])
        #expect(second.next == nil)
        #expect(try catalog.children(of: DivisionCode("33")!, page: PageRequest()) == nil)
    }

    @Test func versionChangesWithContent() {
        let other = LookupCatalog(divisions: Self.divisions, resourceTypes: Self.types, entries: Array(Self.entries.dropLast()))
        let same = LookupCatalog(divisions: Self.divisions.reversed(), resourceTypes: Self.types, entries: Self.entries.reversed())
        #expect(other.version != catalog.version)
        #expect(same.version == catalog.version)
    }

    @Test func pageRequestValidation() throws {
        #expect(try PageRequest.parse(limit: nil, cursor: nil).limit == 20)
        #expect(throws: DomainError.self) { try PageRequest.parse(limit: 0, cursor: nil) }
        #expect(throws: DomainError.self) { try PageRequest.parse(limit: 101, cursor: nil) }
        #expect(throws: DomainError.self) { try PageRequest.parse(limit: 5, cursor: "%%%") }
        let cursor = PageCursor(key: "320102", id: 42)
        #expect(try PageRequest.parse(limit: 5, cursor: cursor.token).after == cursor)
    }
}
