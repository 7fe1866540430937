import Hummingbird
import MinzhengCore

/// ETags for the look-up endpoints. An answer there depends only on the URL and the look-up snapshot (searched in
/// the database, also on the directory rows there, which change with the seed files as the snapshot does),
/// so the snapshot's version is the ETag, and a matching `If-None-Match` is answered 304. The answer is
/// still worked out first (from memory, mostly pre-rendered, so that costs little; one query with a search in the
/// database): a request with bad parameters gets its 400 whatever tag it sends. The request is pinned to that snapshot so body and ETag always agree.
struct ConditionalGetMiddleware<Context: RequestContext>: RouterMiddleware {
    let lookups: LookupService
    static var lookupPrefixes: [String] { ["/v1/divisions", "/v1/directory"] }
    static var cacheControl: String { "public, max-age=300" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head,
            Self.lookupPrefixes.contains(where: { request.uri.path.hasPrefix($0) })
        else { return try await next(request, context) }

        let snapshot = lookups.catalog
        // Weak: the bytes may differ (JSON key order is not fixed), the meaning does not.
        let etag = "W/\"\(snapshot.version)\""
        var response = try await lookups.pin(snapshot) { try await next(request, context) }
        guard response.status == .ok else { return response }
        if let header = request.headers[.ifNoneMatch], Self.matches(header, etag) {
            return Response(status: .notModified, headers: [.eTag: etag, .cacheControl: Self.cacheControl])
        }
        response.headers[.eTag] = etag
        response.headers[.cacheControl] = Self.cacheControl
        return response
    }

    /// `If-None-Match` holds `*` or a list of (possibly weak) entity tags.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            let tag = candidate.trimmingCharacters(in: .whitespaces)
            return tag == "*" || tag == etag || "W/" + tag == etag
        }
    }
}
