import Foundation
import Hummingbird
import MinzhengAPI
import MinzhengCore
import NIOCore

/// `GET /v1/eldercare-facilities` served with JSON assembled from bytes encoded once per facility, instead of
/// through the generated handler (which re-parses the query and runs `JSONEncoder` over every page: 0.11 of
/// `healthz` measured, docs/benchmarks.md). Each facility's bytes come from the generated schema, so they follow
/// the spec; the generated handler stays as the reference, and a differential test holds both to the same answers.
struct EldercareRoutes: Sendable {
    let eldercare: EldercareService
    let renderer: EldercareRenderer

    static let operations: Set<String> = ["GET /v1/eldercare-facilities"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/v1/eldercare-facilities") { request, _ in try await self.search(request) }
    }

    private func search(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        func text(_ name: Substring) -> String? { query[name].map { String($0) } }
        let search = try EldercareQuery.parse(
            near: text("near"), radiusKm: Validate.number(query["radius_km"], parameter: "radius_km"), division: text("division"),
            name: text("q"), careLevels: query.getAll("care_level").map { String($0) }, nature: text("nature"),
            minStar: Validate.integer(query["min_star"], parameter: "min_star"),
            maxMonthlyPrice: Validate.integer(query["max_monthly_price"], parameter: "max_monthly_price"), hasFreeBeds: Validate.boolean(query["has_free_beds"], parameter: "has_free_beds"),
            sort: text("sort"))
        let page = try PageRequest.parse(limit: Validate.integer(query["limit"], parameter: "limit"), cursor: text("cursor"))
        let (found, catalog) = try await eldercare.searchWithCatalog(search, page: page)
        return .renderedJSON(renderer.page(found, catalog: catalog))
    }
}

/// Each facility's JSON, encoded once per catalogue, split around its free beds (which change all day).
final class EldercareRenderer: Sendable {
    /// The facility's JSON without its closing brace (so `distance_m` can follow), and where its free beds go.
    private struct Fragment: Sendable {
        let bytes: [UInt8]
        let bedsAt: Int
    }

    private let cache = FragmentCache<Int64, Fragment>()
    /// Stands in for the free beds while encoding: a number no facility has.
    private static let placeholder = -987_654_321

    func prepare(_ catalog: EldercareCatalog) { _ = fragments(for: catalog) }

    func page(_ page: Page<EldercareHit>, catalog: EldercareCatalog) -> ByteBuffer {
        let fragments = fragments(for: catalog)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 + page.items.count * 640)
        buffer.writeString("{\"items\":[")
        for (index, hit) in page.items.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            let fragment = fragments[hit.facility.id] ?? Self.fragment(hit.facility)
            buffer.writeBytes(fragment.bytes[..<fragment.bedsAt])
            buffer.writeString(String(hit.bedsFree))
            buffer.writeBytes(fragment.bytes[fragment.bedsAt...])
            if let metres = hit.distanceMetres { buffer.writeString(",\"distance_m\":\(metres)") }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
        buffer.writeString("]")
        if let next = page.next { buffer.writeString(",\"next_cursor\":\"\(next.token)\"") }  // base64url: nothing to escape
        buffer.writeString("}")
        return buffer
    }

    private func fragments(for catalog: EldercareCatalog) -> [Int64: Fragment] {
        cache.fragments(generation: catalog.generation) { Dictionary(uniqueKeysWithValues: catalog.all.map { ($0.id, Self.fragment($0)) }) }
    }

    private static func fragment(_ facility: EldercareFacility) -> Fragment {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        encoder.dateEncodingStrategy = .iso8601
        let schema = Components.Schemas.EldercareFacility(EldercareHit(facility: facility, bedsFree: placeholder, distanceMetres: nil))
        let bytes = Array((try? encoder.encode(schema)) ?? Data())
        let marker = Array(String(placeholder).utf8)
        guard bytes.last == UInt8(ascii: "}"), let at = bytes.firstRange(of: marker) else {
            let bytes = Array("{\"id\":\(facility.id),\"beds_free\":".utf8)
            return Fragment(bytes: bytes, bedsAt: bytes.count)
        }
        return Fragment(bytes: Array(bytes[..<at.lowerBound] + bytes[at.upperBound..<(bytes.count - 1)]), bedsAt: at.lowerBound)
    }
}
