import Foundation
import HummingbirdTesting
import MinzhengCore
import MinzhengServer
import MinzhengTesting
import Testing

@Suite struct SocialOrgEndpointTests {
    struct Verification: Decodable {
        struct Warning: Decodable { let code: String; let message: String }
        struct Org: Decodable { let name: String; let legal_representative: String; let status: String }
        let code: String
        let found: Bool
        let name_matches: Bool?
        let organization: Org?
        let warnings: [Warning]
    }

    @Test func verificationAnswersWhatACitizenNeeds() async throws {
        try await withBookingWorld { world in
            let registry = world.services.socialOrgs.registry
            let all = try registry.search(.init(), page: PageRequest(limit: 100)).items
            let good = try #require(all.first { $0.status == .active && $0.warnings.isEmpty })
            func verify(_ code: String, name: String? = nil) async throws -> WorldResponse {
                var path = "/v1/social-orgs/verify?code=\(code)"
                if let name { path += "&name=" + name.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }
                return try await world.request(.get, path)
            }
            let answer: Verification = try await verify(good.code.value.lowercased(), name: good.name).decode()
            #expect(answer.found && answer.name_matches == true && answer.warnings.isEmpty && answer.code == good.code.value)
            #expect(answer.organization?.legal_representative == Masking.name(good.legalRepresentative))
            #expect(answer.organization?.legal_representative != good.legalRepresentative)
            let wrongName: Verification = try await verify(good.code.value, name: "别的名字").decode()
            #expect(wrongName.name_matches == false && wrongName.warnings.map(\.code) == ["name_mismatch"])

            // Each kind of trouble is a warning.
            for (warning, pick) in [("not_active", { (o: SocialOrg) in o.status != .active }),
                                    ("irregular_activity_list", { $0.listEntries.contains { $0.list == .irregularActivity } }),
                                    ("serious_dishonesty_list", { $0.listEntries.contains { $0.list == .seriousDishonesty } }),
                                    ("inspection_failed", { $0.inspections.last?.result == .fail })] {
                let org = try #require(all.first(where: pick), "\(warning)")
                let answer: Verification = try await verify(org.code.value).decode()
                #expect(answer.warnings.map(\.code).contains(warning), "\(warning): \(answer.warnings.map(\.code))")
            }

            // A well-formed code nobody registered, and malformed ones with the reason.
            var unknown = Array(good.code.value)
            unknown[10] = unknown[10] == "Q" ? "R" : "Q"
            let valid = Fixtures.creditCode(String(unknown.prefix(16)))
            let missing: Verification = try await verify(valid).decode()
            #expect(!missing.found && missing.warnings.map(\.code) == ["not_found"])
            for bad in ["123", String(good.code.value.dropLast()) + (good.code.value.last == "0" ? "1" : "0"), "5132000032YUMGN2IE"] {
                let refused = try await verify(bad)
                #expect(refused.status.code == 422 && refused.problemCode == "invalid_credit_code", "\(bad)")
            }
            #expect(try await world.request(.get, "/v1/social-orgs/verify").status == .badRequest)
        }
    }

    @Test func aFeedIsImportedWholeOrNotAtAll() async throws {
        try await withBookingWorld { world in
            let service = world.services.socialOrgs
            let before = service.registry.count
            let header = SocialOrgFeed.columns.joined(separator: ",")
            let divisions = Set(try await world.services.storage.lookups.divisions().map(\.code))
            func code(_ serial: String) -> String { Fixtures.creditCode("51320102\(serial)") }
            let rows = [code("MB000001"), code("MB000002")].map { "\($0),玄武区新协会\($0.suffix(2)),social_group,active,南京市玄武区民政局,320102,2020-01-01,李雷,地址,电话,2024:pass," }
            let bad = "\(code("MB000003")),坏行,social_group,active,南京市玄武区民政局,999999,2020-01-01,李雷,地址,电话,,"
            let refused = try await service.importFeed(SocialOrgFeed(csv: ([header] + rows + [bad]).joined(separator: "\n"), divisions: divisions))
            #expect(refused.rejections.map(\.line) == [4] && refused.added == 0)
            #expect(try await world.services.storage.socialOrgs.socialOrgs().count == before)

            let first = try await service.importFeed(SocialOrgFeed(csv: ([header] + rows).joined(separator: "\n"), divisions: divisions))
            #expect(first.rejections.isEmpty && first.added == 2 && first.changed == 0)
            #expect(service.registry.count == before + 2)
            let again = try await service.importFeed(SocialOrgFeed(csv: ([header] + rows).joined(separator: "\n"), divisions: divisions))
            #expect(again.added == 0 && again.changed == 0 && again.unchanged == 2)
            let changedRow = rows[0].replacingOccurrences(of: "2024:pass", with: "2024:fail")
            let changed = try await service.importFeed(SocialOrgFeed(csv: [header, changedRow].joined(separator: "\n"), divisions: divisions))
            #expect(changed.changed == 1 && changed.unchanged == 0)
            #expect(try service.verify(code: code("MB000001"), name: nil).warnings.map(\.code) == ["inspection_failed"])
        }
    }
}

extension SocialOrgEndpointTests {
    /// `minzheng import` runs as another process: the running service must notice and answer from the new data.
    @Test func theRunningServicePicksUpAnImport() async throws {
        try await withBookingWorld(live: true) { world in
            let code = Fixtures.creditCode("51320102MC000001")
            let before: Verification = try await world.request(.get, "/v1/social-orgs/verify?code=\(code)").decode()
            #expect(!before.found)
            // Another SocialOrgService on the same database, as the import command would be.
            let importer = SocialOrgService(store: world.services.storage.socialOrgs)
            let divisions = Set(try await world.services.storage.lookups.divisions().map(\.code))
            let feed = SocialOrgFeed(csv: SocialOrgFeed.columns.joined(separator: ",")
                + "\n\(code),玄武区新到协会,social_group,active,南京市玄武区民政局,320102,2020-01-01,李雷,地址,电话,2024:pass,\n", divisions: divisions)
            #expect(try await importer.importFeed(feed).added == 1)
            var found = false
            for _ in 0..<50 where !found {
                try await Task.sleep(for: .milliseconds(100))
                found = try await world.request(.get, "/v1/social-orgs/verify?code=\(code)").decode(Verification.self).found
            }
            #expect(found)
        }
    }
}

@Suite struct EldercareEndpointTests {
    struct Facility: Decodable { let id: Int64; let beds_free: Int; let beds_total: Int; let distance_m: Int64? }
    struct FacilityPage: Decodable { let items: [Facility]; let next_cursor: String? }

    @Test func staffOfTheDivisionKeepFreeBedsLive() async throws {
        try await withBookingWorld { world in
            let hits = try await world.services.eldercare.search(
                try EldercareQuery.parse(near: nil, radiusKm: nil, division: "3201", name: nil, careLevels: [], nature: nil, minStar: nil,
                                         maxMonthlyPrice: nil, hasFreeBeds: nil, sort: nil), page: PageRequest(limit: 1))
            let facility = try #require(hits.items.first).facility
            let path = "/v1/staff/eldercare-facilities/\(facility.id)"
            let clerk = try await world.staff("nanjing-clerk")
            let wanted = facility.bedsFree == 0 ? 1 : 0
            let set = try await world.request(.patch, path, token: clerk, json: #"{"beds_free":\#(wanted)}"#)
            #expect(set.status == .ok, "\(String(buffer: set.body))")
            let shown: Facility = try await world.request(.get, "/v1/eldercare-facilities/\(facility.id)").decode()
            #expect(shown.beds_free == wanted)
            let free: FacilityPage = try await world.request(
                .get, "/v1/eldercare-facilities?division=3201&has_free_beds=\(wanted > 0)&limit=100").decode()
            #expect(free.items.contains { $0.id == facility.id })

            // Out of range, someone else's division, no session, unknown fields: refused, nothing changes.
            let tooMany = try await world.request(.patch, path, token: clerk, json: #"{"beds_free":\#(facility.bedsTotal + 1)}"#)
            #expect(tooMany.status.code == 422 && tooMany.problemCode == "beds_free_out_of_range")
            #expect(try await world.request(.patch, path, token: clerk, json: #"{"beds_free":-1}"#).problemCode == "beds_free_out_of_range")
            #expect(try await world.request(.patch, path, token: clerk, json: #"{"beds_free":1,"beds_total":9}"#).status.code == 400)
            #expect(try await world.request(.patch, path, token: try await world.staff("wuxi-manager"), json: #"{"beds_free":3}"#).status == .notFound)
            #expect(try await world.request(.patch, path, json: #"{"beds_free":3}"#).status == .unauthorized)
            #expect(try await world.request(.get, "/v1/eldercare-facilities/\(facility.id)").decode(Facility.self).beds_free == wanted)
            let audit = try await world.services.storage.audit.auditTrail()
            #expect(audit.map(\.action) == ["eldercare.beds_free"])
            #expect(audit.first?.before == #"{"beds_free":\#(facility.bedsFree)}"#)
        }
    }

    @Test func nearSearchOverHTTPCarriesGreatCircleDistances() async throws {
        try await withBookingWorld { world in
            let page: FacilityPage = try await world.request(
                .get, "/v1/eldercare-facilities?near=31.30,120.62&radius_km=6&care_level=partial_care&limit=100").decode()
            #expect(!page.items.isEmpty)
            #expect(page.items.map { $0.distance_m! } == page.items.map { $0.distance_m! }.sorted())
            for item in page.items {
                let facility = try world.services.eldercare.facility(id: item.id).facility
                let expected = Fixtures.haversineMetres(31.30, 120.62, facility.location.lat, facility.location.lng)
                #expect(abs(Double(item.distance_m!) - expected) <= 1 && expected <= 6_000)
                #expect(facility.careLevels.contains(.partialCare))
            }
            let refused = try await world.request(.get, "/v1/eldercare-facilities?sort=distance")
            #expect(refused.status.code == 400 && refused.problemCode == "invalid_parameter")
            #expect(try await world.request(.get, "/v1/eldercare-facilities?care_level=flying").status.code == 400)
        }
    }
}
