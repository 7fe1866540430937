import Hummingbird
import MinzhengCore

/// Shapes no honest client sends are refused before any work: a path and query longer than `maxURIBytes`
/// (414) or headers larger than `maxHeaderBytes` (431). (A client that sends slowly is cut off by
/// `RequestReadDeadline` and the idle timeout.)
struct RequestLimitsMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxURIBytes: Int
    let maxHeaderBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.description.utf8.count > maxURIBytes {
            throw DomainError(.uriTooLong, code: "uri_too_long", title: "请求地址过长", detail: "the path and query must be at most \(maxURIBytes) bytes")
        }
        let headerBytes = request.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        if headerBytes > maxHeaderBytes {
            throw DomainError(.headersTooLarge, code: "headers_too_large", title: "请求头过大", detail: "the headers must be at most \(maxHeaderBytes) bytes")
        }
        return try await next(request, context)
    }
}
