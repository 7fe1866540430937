import Foundation
import HTTPTypes
import HummingbirdTesting
import MinzhengTesting
import Testing

@Suite struct LookupEndpointTests {
    @Test func healthAndReadiness() async throws {
        try await withApp { client in
            let health = try await client.get("/healthz")
            let ready = try await client.get("/readyz")
            #expect(health.status == .ok)
            #expect(ready.status == .ok)
        }
    }

    @Test func jiangsuHasThirteenCitiesAndNanjingItsDistricts() async throws {
        try await withApp { client in
            let cities: ListPage<DivisionBody> = try await client.getJSON("/v1/divisions/32/children")
            #expect(cities.items.map(\.name) == ["南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市", "连云港市",
                                                  "淮安市", "盐城市", "扬州市", "镇江市", "泰州市", "宿迁市"])
            #expect(cities.items.allSatisfy { $0.level == "city" && $0.parent_code == "32" })
            #expect(cities.next_cursor == nil)

            let districts: ListPage<DivisionBody> = try await client.getJSON("/v1/divisions/3201/children")
            #expect(Set(districts.items.map(\.name)) == ["玄武区", "秦淮区", "建邺区", "鼓楼区", "浦口区", "栖霞区",
                                                         "雨花台区", "江宁区", "六合区", "溧水区", "高淳区"])
            let xuanwu: DivisionBody = try await client.getJSON("/v1/divisions/320102")
            #expect(xuanwu == DivisionBody(code: "320102", name: "玄武区", level: "county", parent_code: "3201"))
            let long: DivisionBody = try await client.getJSON("/v1/divisions/320100")
            #expect(long.name == "南京市")
        }
    }

    @Test func oneCharacterFindsDivisions() async throws {
        try await withApp { client in
            let found: ListPage<DivisionBody> = try await client.getJSON("/v1/divisions?q=鼓&limit=100")
            #expect(found.items.contains { $0.code == "320106" })
            #expect(found.items.contains { $0.code == "320302" })
            #expect(found.items.allSatisfy { $0.name.contains("鼓") })
            let townships: ListPage<DivisionBody> = try await client.getJSON("/v1/divisions?q=玄武&level=township")
            #expect(!townships.items.isEmpty)
            #expect(townships.items.allSatisfy { $0.level == "township" && $0.name.contains("玄武") })
        }
    }

    @Test func theDirectoryListsTenTypesWithEntries() async throws {
        struct Types: Decodable { struct Item: Decodable { let type: String; let name: String; let count: Int }; let items: [Item] }
        try await withApp { client in
            let types: Types = try await client.getJSON("/v1/directory")
            #expect(types.items.count == 10)
            #expect(types.items.allSatisfy { $0.count >= 13 })
            #expect(types.items.contains { $0.type == "marriage-registry" && $0.name == "婚姻登记处" })
        }
    }

    @Test func shortChineseQueriesAndDivisionFilter() async throws {
        try await withApp { client in
            let qinhuai: ListPage<EntryBody> = try await client.getJSON("/v1/directory/marriage-registry?q=秦淮")
            #expect(qinhuai.items.map(\.name) == ["南京市秦淮区婚姻登记处"])
            let suzhou: ListPage<EntryBody> = try await client.getJSON("/v1/directory/marriage-registry?division=3205&limit=100")
            #expect(suzhou.items.count == 10)
            #expect(suzhou.items.allSatisfy { $0.division_code.hasPrefix("3205") })
            let one: ListPage<EntryBody> = try await client.getJSON("/v1/directory/funeral-home?q=殡&division=3202&limit=100")
            #expect(!one.items.isEmpty && one.items.allSatisfy { $0.name.contains("殡") && $0.division_code.hasPrefix("3202") })
            let entry: EntryBody = try await client.getJSON("/v1/directory/marriage-registry/\(qinhuai.items[0].id)")
            #expect(entry.name == "南京市秦淮区婚姻登记处")
        }
    }

    @Test func pagingNeverSkipsOrRepeats() async throws {
        try await withApp { client in
            let everything: ListPage<EntryBody> = try await client.getJSON("/v1/directory/eldercare-facility?limit=100")
            var seen: [Int64] = []
            var path = "/v1/directory/eldercare-facility?limit=7"
            while true {
                let page: ListPage<EntryBody> = try await client.getJSON(path)
                #expect(page.items.count <= 7)
                seen += page.items.map(\.id)
                guard let next = page.next_cursor else { break }
                path = "/v1/directory/eldercare-facility?limit=7&cursor=\(next)"
                if seen.count > 1000 { Issue.record("paging does not end"); break }
            }
            #expect(seen.count == 208)
            #expect(Set(seen).count == seen.count)
            #expect(Array(seen.prefix(100)) == everything.items.map(\.id))
        }
    }

    @Test func nearReturnsEverythingWithinTheRadiusNearestFirst() async throws {
        let (lat, lng, radiusKm) = (32.05, 118.80, 25.0)
        try await withApp { client in
            // Every registry, to know what the answer must be.
            var all: [EntryBody] = []
            var cursor: String? = nil
            repeat {
                let page: ListPage<EntryBody> = try await client.getJSON(
                    "/v1/directory/marriage-registry?limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))
                all += page.items
                cursor = page.next_cursor
            } while cursor != nil
            #expect(all.count == 104)
            let expected = all.filter { Fixtures.haversineMetres(lat, lng, $0.location.lat, $0.location.lng) <= radiusKm * 1000 }

            var near: [EntryBody] = []
            cursor = nil
            repeat {
                let page: ListPage<EntryBody> = try await client.getJSON(
                    "/v1/directory/marriage-registry?near=\(lat),\(lng)&radius_km=\(radiusKm)&limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
                near += page.items
                cursor = page.next_cursor
            } while cursor != nil

            #expect(expected.count >= 5)
            #expect(near.map(\.id).sorted() == expected.map(\.id).sorted())
            let distances = near.compactMap(\.distance_m)
            #expect(distances.count == near.count)
            #expect(distances == distances.sorted())
            for entry in near {
                let metres = Fixtures.haversineMetres(lat, lng, entry.location.lat, entry.location.lng)
                #expect(abs(Double(entry.distance_m ?? -1) - metres) <= 1, "\(entry.name)")
            }
        }
    }

    @Test func conditionalGetAnswers304() async throws {
        try await withApp { client in
            let first = try await client.get("/v1/divisions/3201")
            let etag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl]?.contains("max-age") == true)
            let again = try await client.get("/v1/divisions/3201", headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            #expect(again.body.readableBytes == 0)
            #expect(again.headers[.eTag] == etag)
            let stale = try await client.get("/v1/divisions/3201", headers: [.ifNoneMatch: "W/\"0\""])
            #expect(stale.status == .ok)
            let list = try await client.get("/v1/directory/cemetery", headers: [.ifNoneMatch: "W/\"0\", \(etag)"])
            #expect(list.status == .notModified)
        }
    }

    @Test(arguments: [
        ("/v1/divisions/abc", 400, "invalid_parameter"),
        ("/v1/divisions/3", 400, "invalid_parameter"),
        ("/v1/divisions/3299", 404, "not_found"),
        ("/v1/divisions/3299/children", 404, "not_found"),
        ("/v1/divisions?q=", 400, "invalid_parameter"),
        ("/v1/divisions", 400, "invalid_parameter"),
        ("/v1/divisions?q=鼓&level=village", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?limit=0", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?limit=101", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?limit=abc", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?cursor=%%%", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?cursor=bm9wZQ", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?near=32.0", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?near=132,500", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?radius_km=5", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?near=32,118&radius_km=0", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?near=32,118&radius_km=500", 400, "invalid_parameter"),
        ("/v1/directory/marriage-registry?division=32x", 400, "invalid_parameter"),
        ("/v1/directory/no-such-type", 404, "not_found"),
        ("/v1/directory/marriage-registry/999999", 404, "not_found"),
        ("/v1/directory/marriage-registry/abc", 400, "invalid_parameter"),
        ("/v1/nothing-here", 404, "not_found"),
    ])
    func badInputIsAProblem(path: String, status: Int, code: String) async throws {
        try await withApp { client in
            let response = try await client.get(path)
            #expect(response.status.code == status, "\(path): \(String(buffer: response.body))")
            #expect(response.headers[.contentType] == "application/problem+json")
            let problem = try JSONDecoder().decode(ProblemBody.self, from: Data(buffer: response.body))
            #expect(problem.code == code)
            #expect(problem.status == status)
            #expect(!problem.title.isEmpty)
        }
    }

    @Test func anEntryOfAnotherTypeIsNotFound() async throws {
        try await withApp { client in
            let registry: ListPage<EntryBody> = try await client.getJSON("/v1/directory/marriage-registry?limit=1")
            let response = try await client.get("/v1/directory/cemetery/\(registry.items[0].id)")
            #expect(response.status == .notFound)
        }
    }
}
