import HTTPTypes
import Hummingbird
import MinzhengCore

/// Who the current request comes from, for the handlers (the generated handlers see no raw headers).
enum RequestCaller {
    @TaskLocal static var current: Caller = .anonymous
    /// An anonymous caller's network address (`ClientAddress.of`), for per-address limits; callers with credentials
    /// are counted by those, and their requests skip the work.
    @TaskLocal static var address: String = "unknown"
}

/// Establishes the caller from `Authorization: Bearer` (citizen `mzc_…` or staff `mzs_…` tokens) or
/// `X-Client-Key`. No credentials means anonymous; unknown or expired ones make a `.rejected` caller, which
/// public endpoints ignore and the others answer with 401 saying why.
struct AuthenticationMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let identity: IdentityService
    static var clientKeyHeader: HTTPField.Name { HTTPField.Name("X-Client-Key")! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = try await caller(of: request)
        switch caller {
        case .anonymous, .rejected:
            return try await RequestCaller.$address.withValue(ClientAddress.of(request, peer: context.remoteAddress)) {
                try await RequestCaller.$current.withValue(caller) { try await next(request, context) }
            }
        case .client, .citizen, .staff:
            return try await RequestCaller.$current.withValue(caller) { try await next(request, context) }
        }
    }

    private func caller(of request: Request) async throws -> Caller {
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer ") else { return .rejected(reason: "Authorization must be 'Bearer TOKEN'") }
            let token = String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
            if token.hasPrefix("mzc_"), let session = try await identity.citizen(token: token) { return .citizen(session) }
            if token.hasPrefix("mzs_"), let member = try await identity.staff(token: token) { return .staff(member) }
            return .rejected(reason: "the token is unknown or expired")
        }
        if let key = request.headers[Self.clientKeyHeader] {
            guard let client = try await identity.client(key: key) else { return .rejected(reason: "the client key is unknown") }
            return .client(client)
        }
        return .anonymous
    }
}
