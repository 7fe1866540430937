import Foundation
import HTTPTypes
import Hummingbird
import MinzhengCore
import NIOCore

/// The request context of every route: Hummingbird's, plus the peer's address (for per-address limits).
struct MinzhengRequestContext: RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// Answers 429 with `Retry-After` to a caller over its rate (`RateLimits`): an app by its client id, a citizen
/// by their session's subject and again within their app's (so one citizen cannot use up the app's rate), staff
/// by their id, anonymous callers by address. Runs after authentication, which says who the caller is.
struct RateLimitMiddleware<Context: RemoteAddressRequestContext>: RouterMiddleware {
    let clients: TokenBuckets
    let citizens: TokenBuckets
    let staff: TokenBuckets
    let addresses: TokenBuckets

    init(_ limits: RateLimits) {
        clients = TokenBuckets(limits.perClient)
        citizens = TokenBuckets(limits.perCitizen)
        staff = TokenBuckets(limits.perStaff)
        addresses = TokenBuckets(limits.perAddress)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        let wait: Double?
        switch RequestCaller.current {
        case .client(let client): wait = clients.take(String(client.id), now: now)
        case .citizen(let session):
            // The citizen's own bucket first: a citizen over their rate takes nothing from the app's; an app over its
            // rate leaves the citizen their token.
            let citizen = "\(session.clientID)\u{1F}\(session.subject)"
            wait = citizens.take(citizen, now: now) ?? clients.take(String(session.clientID), now: now).map { wait in
                citizens.giveBack(citizen)
                return wait
            }
        case .staff(let member): wait = staff.take(String(member.id), now: now)
        case .anonymous, .rejected: wait = addresses.take(RequestCaller.address, now: now)
        }
        if let wait {
            throw DomainError.tooMany(code: "rate_limited", title: "请求过于频繁，请稍后再试",
                                      detail: "too many requests from this caller; try again after Retry-After seconds", wait: wait)
        }
        return try await next(request, context)
    }
}

enum ClientAddress {
    /// The caller's address: the peer's, or, when the peer is a proxy on this machine or on a private network
    /// (loopback, 10/8, 172.16/12, 192.168/16, fc00::/7: the load balancer), the last address it put in
    /// `X-Forwarded-For`. Other non-public ranges (carrier NAT, say) hold clients, not proxies: not trusted.
    static func of(_ request: Request, peer: SocketAddress?) -> String {
        let peerAddress = peer?.ipAddress ?? "unknown"
        guard let forwarded = request.headers[.xForwardedFor], IPAddress(peerAddress)?.isProxyNetwork == true,
              let last = forwarded.split(separator: ",").last?.trimmingCharacters(in: .whitespaces), !last.isEmpty
        else { return peerAddress }
        return String(last.prefix(64))
    }
}

extension HTTPField.Name {
    static var xForwardedFor: Self { Self("X-Forwarded-For")! }
}
