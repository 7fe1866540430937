import Foundation
import HummingbirdTesting
import MinzhengAPI
import Testing

/// The hand-rendered directory routes against the generated handlers they replace: same status, same
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
                if path.split(separator: "/").count == 4 {
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
