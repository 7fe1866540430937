import Foundation
import HTTPTypes
import MinzhengCore
import Synchronization

/// An RFC 9457 problem document, as every error of the API is answered.
struct Problem: Encodable {
    let type: String
    let title: String
    let status: Int
    let detail: String
    let code: String
    /// Sent as the `Retry-After` header, not in the document.
    let retryAfter: Int?

    private enum CodingKeys: String, CodingKey { case type, title, status, detail, code }

    static let contentType = "application/problem+json"

    init(_ error: DomainError) {
        self.retryAfter = error.retryAfter
        self.status = error.kind.httpStatus
        self.type = "https://minzheng.example/problems/\(error.code)"
        self.title = error.title
        self.detail = error.detail
        self.code = error.code
    }

    static let internalError = DomainError(.internal, code: "internal_error", title: "系统繁忙，请稍后再试",
                                           detail: "an unexpected error; it has been logged")

    /// The document's bytes. Rejections repeat (a rush answers `slot_full` thousands of times a second), so
    /// the bytes of recent problems are kept rather than encoded again.
    var json: Data {
        let key = "\(status)\u{1F}\(code)\u{1F}\(detail)"
        if let known = Self.encoded.withLock({ $0[key] }) { return known }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let data = (try? encoder.encode(self)) ?? Data()
        Self.encoded.withLock { cache in
            if cache.count >= 512 { cache.removeAll() }
            cache[key] = data
        }
        return data
    }

    private static let encoded = Mutex<[String: Data]>([:])

    var headers: HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = Self.contentType
        headers[.cacheControl] = "no-store"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return headers
    }
}

extension DomainError.Kind {
    var httpStatus: Int {
        switch self {
        case .badRequest: 400
        case .unauthenticated: 401
        case .forbidden: 403
        case .notFound: 404
        case .methodNotAllowed: 405
        case .conflict: 409
        case .unprocessable: 422
        case .payloadTooLarge: 413
        case .uriTooLong: 414
        case .headersTooLarge: 431
        case .rateLimited: 429
        case .unavailable: 503
        case .internal: 500
        }
    }
}
