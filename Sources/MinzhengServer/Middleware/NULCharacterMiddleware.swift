import Hummingbird
import MinzhengCore
import NIOCore

/// No field of this API has a use for the NUL character, and PostgreSQL cannot store it in text (SQLSTATE
/// 22021, which would surface as a 500 where SQLite stored it). A request that carries one, percent-encoded in
/// its path or query or as a `\u0000` escape in its JSON body, is refused with 400 before a handler sees it, the
/// same on every backend. Runs after `BodyLimitMiddleware`, which has collected the body.
struct NULCharacterMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.description.contains("%00") {
            throw Self.refused("the path or query has a NUL character (%00)")
        }
        if request.method == .post || request.method == .put || request.method == .patch {
            var request = request
            let body = try await request.collectBody(upTo: .max)
            if Self.hasNUL(json: body.readableBytesView) { throw Self.refused("the body has a NUL character (\\u0000)") }
            return try await next(request, context)
        }
        return try await next(request, context)
    }

    /// A `\u0000` escape whose backslash is not itself escaped (`\\u0000` is a backslash and the text `u0000`),
    /// or a raw NUL byte.
    static func hasNUL(json bytes: some Collection<UInt8>) -> Bool {
        var backslashes = 0
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == 0 { return true }
            if byte == UInt8(ascii: "\\") {
                backslashes += 1
            } else {
                if byte == UInt8(ascii: "u"), backslashes % 2 == 1, bytes[index...].dropFirst().prefix(4).elementsEqual("0000".utf8) { return true }
                backslashes = 0
            }
            index = bytes.index(after: index)
        }
        return false
    }

    static func refused(_ detail: String) -> DomainError {
        DomainError(.badRequest, code: "nul_character", title: "请求中含有空字符", detail: detail)
    }
}
