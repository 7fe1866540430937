import Hummingbird
import MinzhengCore

/// Request bodies are small JSON documents: one larger than `maxBytes` (by its Content-Length, or as it
/// streams in when chunked) is refused with 413 before any handler reads it.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post || request.method == .put || request.method == .patch else { return try await next(request, context) }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes { throw tooLarge }
        var request = request
        do {
            _ = try await request.collectBody(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        }
        return try await next(request, context)
    }

    private var tooLarge: DomainError {
        DomainError(.payloadTooLarge, code: "body_too_large", title: "请求内容过大", detail: "the body must be at most \(maxBytes) bytes")
    }
}
