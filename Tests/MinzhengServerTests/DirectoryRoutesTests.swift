import Foundation
import HummingbirdTesting
import MinzhengAPI
import Testing

/// The hand-rendered routes (directory, eldercare search, verification) against the generated handlers they replace: same status, same
/// JSON (as values), and bodies the generated types decode.
@Suite struct DirectoryRoutesTests {
    static let paths = [
        "/v1/directory/marriage-registry",
        "/v1/directory/marriage-registry?limit=5",
        "/v1/directory/eldercare-facility?division=3205&limit=100",
        "/v1/directory/eldercare-facility?q=福利&limit=3",
        "/v1/directory/community-service-center?near=31.30,120.62&radius_km=30&limit=7",
        "/v1/directory/funeral-home?near=34.26,117.19&radius_km=100&division=3203",
        "/v1/directory/marriage-registry?near=32.05,118.8",
        "/v1/directory/marriage-registry/20",
        "/v1/directory/relief-station/2",
        "/v1/directory/relief-station/20",
        "/v1/directory/nope",
        "/v1/directory/marriage-registry?limit=0",
        "/v1/directory/marriage-registry?radius_km=3",
        "/v1/directory/marriage-registry?near=1,2,3",
        "/v1/directory/marriage-registry?limit=x",
        "/v1/directory/marriage-registry?radius_km=x&near=32,118",
        // Eldercare search and social-organisation verification, served the same way.
        "/v1/eldercare-facilities",
        "/v1/eldercare-facilities?near=32.05,118.78&radius_km=5&care_level=full_care&care_level=dementia&has_free_beds=true",
        "/v1/eldercare-facilities?near=31.30,120.62&sort=free_beds&limit=3&nature=public",
        "/v1/eldercare-facilities?division=3202&min_star=3&max_monthly_price=6000&sort=star&limit=50",
        "/v1/eldercare-facilities?q=jly&sort=price",
        "/v1/eldercare-facilities?q=敬老院&has_free_beds=false",
        "/v1/eldercare-facilities?sort=distance",
        "/v1/eldercare-facilities?radius_km=5",
        "/v1/eldercare-facilities?has_free_beds=maybe",
        "/v1/eldercare-facilities?min_star=x",
        "/v1/eldercare-facilities?near=32,118&radius_km=90",
        "/v1/social-orgs/verify?code=53320000e70k239tx9",
        "/v1/social-orgs/verify?code=53320000E70K239TX9&name=江苏省慈善基金会",
        "/v1/social-orgs/verify?code=53320000E70K239TX9&name=别的",
        "/v1/social-orgs/verify?code=91110000600037341L",
        "/v1/social-orgs/verify?code=53320000E70K239TX8",
        "/v1/social-orgs/verify?code=123",
        "/v1/social-orgs/verify",
    ]

    @Test func renderedAndGeneratedAnswersAgree() async throws {
        let rendered = try await answers(renderedLookups: true)
        let generated = try await answers(renderedLookups: false)
        for (path, (a, b)) in zip(Self.paths, zip(rendered, generated)) {
            #expect(a.status == b.status, "\(path)")
            if a.status == 200 {
                let left = try JSONSerialization.jsonObject(with: a.body) as? NSDictionary
                let right = try JSONSerialization.jsonObject(with: b.body) as? NSDictionary
                #expect(left != nil && left == right, "\(path)")
                // The generated types read the hand-rendered body.
                if path.hasPrefix("/v1/eldercare-facilities") {
                    _ = try JSONDecoder.api.decode(Components.Schemas.EldercarePage.self, from: a.body)
                } else if path.hasPrefix("/v1/social-orgs") {
                    _ = try JSONDecoder.api.decode(Components.Schemas.SocialOrgVerification.self, from: a.body)
                } else if path.split(separator: "/").count == 4 {
                    _ = try JSONDecoder.api.decode(Components.Schemas.DirectoryEntry.self, from: a.body)
                } else {
                    _ = try JSONDecoder.api.decode(Components.Schemas.DirectoryPage.self, from: a.body)
                }
            } else {
                let left = try JSONDecoder().decode(ProblemBody.self, from: a.body)
                let right = try JSONDecoder().decode(ProblemBody.self, from: b.body)
                #expect(left.code == right.code, "\(path)")
            }
        }
    }

    func answers(renderedLookups: Bool) async throws -> [(status: Int, body: Data)] {
        let collected = Collected()
        try await withApp(renderedLookups: renderedLookups) { client in
            for path in Self.paths {
                let response = try await client.get(path)
                await collected.add((Int(response.status.code), Data(buffer: response.body)))
            }
        }
        return await collected.items
    }
}

actor Collected {
    var items: [(status: Int, body: Data)] = []
    func add(_ item: (status: Int, body: Data)) { items.append(item) }
}

extension JSONDecoder {
    static var api: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
