import Foundation
import HTTPTypes
import Logging
import MinzhengCore
import OpenAPIRuntime

/// Turns what generated handlers throw into problem documents: domain errors as they are, and the
/// runtime's failures to read a request (a malformed query, parameter or body) as 400 `invalid_parameter`, never 500.
struct OpenAPIErrorMiddleware: ServerMiddleware {
    let logger: Logger

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        do {
            return try await next(request, body, metadata)
        } catch let error as ServerError {
            if let domain = error.underlyingError as? DomainError { return Self.answer(Problem(domain)) }
            // No operation input: the request itself could not be read (a malformed query such as `a=1&&b=2`, a
            // parameter or a body), whatever the runtime's error type. That is the caller's fault, not ours.
            if error.operationInput == nil || error.httpStatus.code < 500 {
                return Self.answer(Problem(.invalidParameter("request", error.causeDescription)))
            }
            logger.error("operation failed", metadata: ["operation": "\(operationID)", "error.type": "\(type(of: error.underlyingError))"])
            return Self.answer(Problem(Problem.internalError))
        }
    }

    static func answer(_ problem: Problem, status: Int? = nil) -> (HTTPResponse, HTTPBody?) {
        (HTTPResponse(status: .init(code: status ?? problem.status), headerFields: problem.headers), HTTPBody(problem.json))
    }
}
