import Foundation
import HTTPTypes
import Hummingbird
import MinzhengAPI
import MinzhengCore
import NIOCore
import OpenAPIRuntime

/// The two hottest look-ups, `GET /v1/directory/{type}` and `GET /v1/directory/{type}/{id}`, served with
/// JSON assembled from bytes encoded once per entry, instead of through the generated handlers.
///
/// Why: the generated layer decodes every query parameter by re-parsing the query string and encodes each
/// page with `JSONEncoder`; that capped a `near` search at about a tenth of `GET /healthz` (docs/benchmarks.md).
/// The bytes of each entry still come from the generated `Components.Schemas.DirectoryEntry`, so they follow
/// the spec; the generated handlers remain as the reference implementation, and a differential test holds
/// both to the same answers.
struct DirectoryRoutes: Sendable {
    let lookups: LookupService
    let renderer: DirectoryRenderer

    /// The spec operations these routes serve, as `METHOD path`, for `SkippingTransport`.
    static let operations: Set<String> = ["GET /v1/directory/{type}", "GET /v1/directory/{type}/{id}"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/v1/directory/{type}") { request, context in try await self.search(request, context.parameters) }
        router.get("/v1/directory/{type}/{id}") { request, context in try self.entry(context.parameters) }
    }

    private func search(_ request: Request, _ path: Parameters) async throws -> Response {
        let type = path.get("type") ?? ""
        let query = request.uri.queryParameters
        let parameters = try DirectorySearchParameters(
            type: type, division: query["division"].map(String.init), q: query["q"].map(String.init),
            near: query["near"].map(String.init), radiusKm: Validate.number(query["radius_km"], parameter: "radius_km"),
            limit: Validate.integer(query["limit"], parameter: "limit"), cursor: query["cursor"].map(String.init))
        guard let (page, catalog) = try await lookups.search(parameters.query, page: parameters.page) else {
            throw DomainError.notFound("no resource type \(type)")
        }
        return .renderedJSON(renderer.page(page, catalog: catalog))
    }

    private func entry(_ path: Parameters) throws -> Response {
        let type = path.get("type") ?? ""
        guard let id = path.get("id").flatMap(Int64.init) else { throw DomainError.invalidParameter("id", "must be an integer") }
        let catalog = lookups.catalog
        guard catalog.resourceType(type) != nil else { throw DomainError.notFound("no resource type \(type)") }
        guard let entry = catalog.entry(type: type, id: id) else { throw DomainError.notFound("no \(type) with id \(id)") }
        return .renderedJSON(renderer.entry(entry, catalog: catalog))
    }
}

/// Pre-encoded JSON of every directory entry of one catalogue version (the object without its closing
/// brace, so `distance_m` can be appended).
final class DirectoryRenderer: Sendable {
    private let cache = FragmentCache<Int64, [UInt8]>()

    /// Encodes every entry of `catalog`; call after each reload so no request pays for it.
    func prepare(_ catalog: LookupCatalog) {
        _ = fragments(for: catalog)
    }

    func page(_ page: Page<DirectoryHit>, catalog: LookupCatalog) -> ByteBuffer {
        let fragments = fragments(for: catalog)
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64 + page.items.count * 512)
        buffer.writeString("{\"items\":[")
        for (index, hit) in page.items.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            Self.write(hit, fragments, into: &buffer)
        }
        buffer.writeString("]")
        if let next = page.next { buffer.writeString(",\"next_cursor\":\"\(next.token)\"") }  // base64url: nothing to escape
        buffer.writeString("}")
        return buffer
    }

    func entry(_ entry: DirectoryEntry, catalog: LookupCatalog) -> ByteBuffer {
        var buffer = ByteBuffer()
        Self.write(DirectoryHit(entry: entry, distanceMetres: nil), fragments(for: catalog), into: &buffer)
        return buffer
    }

    private static func write(_ hit: DirectoryHit, _ fragments: [Int64: [UInt8]], into buffer: inout ByteBuffer) {
        buffer.writeBytes(fragments[hit.entry.id] ?? encode(hit.entry))
        if let metres = hit.distanceMetres { buffer.writeString(",\"distance_m\":\(metres)") }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    private func fragments(for catalog: LookupCatalog) -> [Int64: [UInt8]] {
        cache.fragments(generation: catalog.generation) {
            Dictionary(uniqueKeysWithValues: catalog.allEntries.map { ($0.id, Self.encode($0)) })
        }
    }

    /// The entry as the generated type encodes it, minus the closing brace.
    private static func encode(_ entry: DirectoryEntry) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        encoder.dateEncodingStrategy = .iso8601
        let schema = Components.Schemas.DirectoryEntry(DirectoryHit(entry: entry, distanceMetres: nil))
        guard let data = try? encoder.encode(schema), data.last == UInt8(ascii: "}") else { return Array("{\"id\":\(entry.id)".utf8) }
        return Array(data.dropLast())
    }
}

/// Registers generated handlers on the router, except for operations a hand-written route serves.
struct SkippingTransport<Context: RequestContext>: ServerTransport {
    let router: Router<Context>
    let skipping: Set<String>
    /// Every operation's method and path, served here or by hand (for `Allow`).
    let routes: RouteMethods

    func register(
        _ handler: @Sendable @escaping (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?),
        method: HTTPRequest.Method, path: String
    ) throws {
        routes.record(method: method.rawValue, path: path)
        guard !skipping.contains("\(method.rawValue) \(path)") else { return }
        router.register(handler, method: method, path: path)
    }
}
