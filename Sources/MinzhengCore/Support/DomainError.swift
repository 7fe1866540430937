/// A failure the caller can act on. The server turns it into an `application/problem+json` answer;
/// `code` is stable for machines, `title` is a Chinese sentence a citizen can read, `detail` says exactly what.
public struct DomainError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A malformed parameter or body (400).
        case badRequest
        /// Missing or wrong credentials (401).
        case unauthenticated
        /// Known caller, not allowed (403).
        case forbidden
        /// No such thing, or not yours (404).
        case notFound
        /// The path exists, not with this method (405).
        case methodNotAllowed
        /// The state of things forbids it now (409).
        case conflict
        /// Well-formed but against a rule (422).
        case unprocessable
        /// The request body is too large (413).
        case payloadTooLarge
        /// The path and query are too long (414).
        case uriTooLong
        /// The request's headers are too large (431).
        case headersTooLarge
        /// Too many requests (429).
        case rateLimited
        /// The service cannot answer now (503).
        case unavailable
        /// A fault of ours (500); logged, never explained to the caller.
        case `internal`
    }

    public let kind: Kind
    public let code: String
    public let title: String
    public let detail: String
    /// Seconds after which trying again may succeed (`Retry-After`), for 429 and 503.
    public let retryAfter: Int?

    public init(_ kind: Kind, code: String, title: String, detail: String, retryAfter: Int? = nil) {
        self.kind = kind
        self.code = code
        self.title = title
        self.detail = detail
        self.retryAfter = retryAfter
    }

    /// 429 with the whole seconds to wait (at least 1).
    public static func tooMany(code: String, title: String, detail: String, wait seconds: Double) -> DomainError {
        .init(.rateLimited, code: code, title: title, detail: detail, retryAfter: max(1, Int(seconds.rounded(.up))))
    }

    public static func invalidParameter(_ name: String, _ detail: String) -> DomainError {
        .init(.badRequest, code: "invalid_parameter", title: "请求参数有误", detail: "\(name): \(detail)")
    }

    public static func notFound(_ detail: String) -> DomainError {
        .init(.notFound, code: "not_found", title: "未找到相关信息", detail: detail)
    }

    public static let methodNotAllowed = DomainError(.methodNotAllowed, code: "method_not_allowed", title: "请求方式有误",
                                                     detail: "this method is not allowed here: see Allow")

    public static func unavailable(_ detail: String) -> DomainError {
        .init(.unavailable, code: "unavailable", title: "服务暂时不可用，请稍后再试", detail: detail)
    }
}
