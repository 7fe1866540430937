import Foundation
import Hummingbird
import Logging
import MinzhengCore
import NIOCore

/// The outermost middleware: whatever goes wrong below leaves as `application/problem+json`.
/// Domain errors keep their code; Hummingbird's own errors (unknown route, wrong method, oversize body)
/// get a generic one; anything else is logged and answered 500 without detail.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    /// For the `Allow` header of a 405.
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as DomainError {
            return Self.response(Problem(error))
        } catch let error as HTTPError {
            // The router finds no route for a path it knows under other methods (TRACE included): a 405 saying
            // which methods the path does answer (RFC 9110), not a 404.
            let allowed = routes.allowed(for: request.uri.path)
            if error.status == .notFound || error.status == .methodNotAllowed, !allowed.isEmpty {
                var response = Self.response(Problem(.methodNotAllowed))
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response
            }
            return Self.response(Problem(Self.domainError(for: error)))
        } catch {
            logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))", "http.path": "\(request.uri.path)"])
            return Self.response(Problem(Problem.internalError))
        }
    }

    static func response(_ problem: Problem, status: Int? = nil) -> Response {
        Response(status: .init(code: status ?? problem.status), headers: problem.headers,
                 body: .init(byteBuffer: ByteBuffer(bytes: problem.json)))
    }

    static func domainError(for error: HTTPError) -> DomainError {
        switch error.status {
        case .notFound: .notFound("no such resource")
        case .contentTooLarge: .init(.payloadTooLarge, code: "body_too_large", title: "请求内容过大", detail: "the request body is too large")
        default: .init(.badRequest, code: "bad_request", title: "请求有误", detail: error.body ?? error.status.reasonPhrase)
        }
    }
}
