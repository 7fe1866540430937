import Hummingbird
import MinzhengCore

/// Request bodies are small JSON documents: a body must say its length, and not exceed `maxBytes`.
/// Checked before anything reads the body.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post || request.method == .put || request.method == .patch else { return try await next(request, context) }
        if let length = request.headers[.contentLength].flatMap(Int.init) {
            guard length <= maxBytes else {
                throw DomainError(.payloadTooLarge, code: "body_too_large", title: "请求内容过大", detail: "the body must be at most \(maxBytes) bytes")
            }
        } else if request.headers[.transferEncoding] != nil {
            throw DomainError(.payloadTooLarge, code: "length_required", title: "请求内容长度未知", detail: "send the body with a Content-Length")
        }
        return try await next(request, context)
    }
}
