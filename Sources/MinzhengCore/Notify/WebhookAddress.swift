import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An IP address as the network sees it, whatever spelling it came in.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6([UInt8])

    /// Parses a dotted IPv4 address or an IPv6 address (without brackets), as `inet_pton` does.
    public init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self = .v4(UInt32(bigEndian: v4.s_addr))
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        self = .v6(withUnsafeBytes(of: &v6) { Array($0) })
    }

    /// The legacy numeric forms `inet_aton` and URL hosts accept: `2130706433`, `0x7f.1`, `0177.0.0.1`,
    /// `127.1`. One to four parts, each decimal, octal (leading 0) or hex (0x); the last fills the rest.
    public static func numericIPv4(_ host: String) -> IPAddress? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            let text = part.lowercased()
            let value: UInt64?
            if text.hasPrefix("0x") {
                value = text.count == 2 ? 0 : UInt64(text.dropFirst(2), radix: 16)
            } else if text.count > 1, text.hasPrefix("0") {
                value = UInt64(text.dropFirst(), radix: 8)
            } else {
                value = text.isEmpty ? nil : UInt64(text, radix: 10)
            }
            guard let value else { return nil }
            values.append(value)
        }
        var address: UInt64 = 0
        for (index, value) in values.dropLast().enumerated() {
            guard value <= 0xFF else { return nil }
            address |= value << (8 * UInt64(3 - index))
        }
        let last = values[values.count - 1]
        let room = 8 * UInt64(5 - values.count)
        guard last < (UInt64(1) << room) else { return nil }
        return .v4(UInt32(address | last))
    }

    /// False for loopback, private, shared, link-local (cloud metadata lives at 169.254.169.254), multicast,
    /// documentation and reserved ranges, and for IPv6 forms that carry such an IPv4 address.
    public var isPublic: Bool {
        switch self {
        case .v4(let address):
            let blocked: [(UInt32, Int)] = [
                (0x0000_0000, 8), (0x0A00_0000, 8), (0x6440_0000, 10), (0x7F00_0000, 8), (0xA9FE_0000, 16), (0xAC10_0000, 12),
                (0xC000_0000, 24), (0xC000_0200, 24), (0xC0A8_0000, 16), (0xC612_0000, 15), (0xC633_6400, 24), (0xCB00_7100, 24),
                (0xE000_0000, 4), (0xF000_0000, 4),
            ]
            return !Self.v4(address, isIn: blocked)
        case .v6(let bytes):
            func v4(at offset: Int) -> IPAddress {
                .v4(bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) })
            }
            if bytes[0..<15].allSatisfy({ $0 == 0 }) { return false }  // :: and ::1
            if let mapped = mappedIPv4 { return mapped.isPublic }  // ::ffff:a.b.c.d
            if bytes[0..<12].allSatisfy({ $0 == 0 }) { return false }  // ::a.b.c.d, deprecated
            if bytes[0..<12] == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return v4(at: 12).isPublic }  // NAT64
            if bytes[0..<12] == [0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0] { return v4(at: 12).isPublic }  // ::ffff:0:a.b.c.d (SIIT)
            if bytes[0..<6] == [0, 0x64, 0xFF, 0x9B, 0, 0x01] { return false }  // local-use NAT64, 64:ff9b:1::/48
            if bytes[0] == 0x20, bytes[1] == 0x02 { return v4(at: 2).isPublic }  // 6to4
            if bytes[0] & 0xFE == 0xFC { return false }  // unique local, fc00::/7
            if bytes[0] == 0xFE, bytes[1] & 0xC0 == 0x80 || bytes[1] & 0xC0 == 0xC0 { return false }  // link-local, site-local
            if bytes[0] == 0xFF { return false }  // multicast
            if bytes[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return false }  // documentation
            if bytes[0..<4] == [0x20, 0x01, 0, 0] { return false }  // Teredo
            if bytes[0..<8] == [0x01, 0, 0, 0, 0, 0, 0, 0] { return false }  // discard
            return true
        }
    }

    /// Loopback or a private network, where a load balancer of the service's own sits (RFC 1918, unique local
    /// IPv6): a peer whose `X-Forwarded-For` may be believed. Other non-public ranges (carrier NAT) hold clients.
    public var isProxyNetwork: Bool {
        switch self {
        case .v4(let address):
            return Self.v4(address, isIn: [(0x7F00_0000, 8), (0x0A00_0000, 8), (0xAC10_0000, 12), (0xC0A8_0000, 16)])
        case .v6(let bytes):
            if let mapped = mappedIPv4 { return mapped.isProxyNetwork }
            return bytes == Array(repeating: 0, count: 15) + [1] || bytes[0] & 0xFE == 0xFC  // ::1, fc00::/7
        }
    }

    /// The IPv4 address an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) carries.
    private var mappedIPv4: IPAddress? {
        guard case .v6(let bytes) = self, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return .v4(bytes[12..<16].reduce(0) { $0 << 8 | UInt32($1) })
    }

    /// Whether `address` lies in one of `networks` (address, prefix length).
    private static func v4(_ address: UInt32, isIn networks: [(UInt32, Int)]) -> Bool {
        networks.contains { network, bits in address >> (32 - bits) == network >> (32 - bits) }
    }

    public var description: String {
        switch self {
        case .v4(let address):
            return "\(address >> 24).\(address >> 16 & 0xFF).\(address >> 8 & 0xFF).\(address & 0xFF)"
        case .v6(var bytes):
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            return bytes.withUnsafeMutableBytes { raw in
                inet_ntop(AF_INET6, raw.baseAddress, &text, socklen_t(text.count)).map { String(cString: $0) } ?? "?"
            }
        }
    }
}

/// A webhook URL that passed the address rules: where deliveries may go.
public struct WebhookTarget: Sendable, Equatable {
    public let url: String
    public let scheme: String
    public let host: String
    public let port: Int
}

/// Keeps webhooks away from the service's own network (SSRF): `https` only, no credentials in the URL, and
/// no host that is, or resolves to, a loopback, private, link-local or metadata address, however the address
/// is spelt. Checked when a webhook is registered; the delivery worker checks the address it actually
/// connects to again, so a name that later resolves elsewhere is still refused.
public enum WebhookAddressPolicy {
    public static let maxLength = 2048
    private static let blockedNames = ["localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "metadata.google.internal",
                                       "metadata", "instance-data"]
    private static let blockedSuffixes = [".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".in-addr.arpa", ".ip6.arpa"]

    /// `allowPrivate` (`MINZHENG_NOTIFY_ALLOW_PRIVATE=1`, local testing only) admits `http` and any address.
    /// `resolve` answers a host name's addresses (nil or empty when it does not resolve).
    public static func check(_ text: String, allowPrivate: Bool, resolve: (String) -> [IPAddress]?) throws(DomainError) -> WebhookTarget {
        let target = try parse(text, allowPrivate: allowPrivate)
        guard !allowPrivate else { return target }
        if let literal = literalAddress(target.host) {
            guard literal.isPublic else { throw refused(text, "points at a private, loopback or link-local address") }
            return target
        }
        let name = target.host
        if blockedNames.contains(name) || blockedSuffixes.contains(where: { name.hasSuffix($0) }) {
            throw refused(text, "names a local host")
        }
        guard let addresses = resolve(name), !addresses.isEmpty else { throw refused(text, "host does not resolve") }
        guard addresses.allSatisfy(\.isPublic) else { throw refused(text, "host resolves to a private, loopback or link-local address") }
        return target
    }

    /// The host a URL names, for resolving it before `check` (which then only looks at the answer).
    public static func host(of text: String, allowPrivate: Bool) throws(DomainError) -> String {
        try parse(text, allowPrivate: allowPrivate).host
    }

    /// The address a host string denotes without asking DNS: an IPv6 literal (bracketed in URLs) or any
    /// numeric IPv4 form.
    public static func literalAddress(_ host: String) -> IPAddress? {
        if host.hasPrefix("[") && host.hasSuffix("]") {
            var inner = String(host.dropFirst().dropLast())
            if let zone = inner.firstIndex(of: "%") { inner = String(inner[..<zone]) }
            return IPAddress(inner)
        }
        return IPAddress.numericIPv4(host)
    }

    /// Shape only: scheme, no user info, a plain ASCII host, a valid port.
    static func parse(_ text: String, allowPrivate: Bool) throws(DomainError) -> WebhookTarget {
        guard text.utf8.count <= maxLength else { throw refused(text, "is longer than \(maxLength) bytes") }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw refused(text, "must be plain ASCII without spaces")
        }
        guard let separator = text.range(of: "://") else { throw refused(text, "is not an absolute URL") }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "https" || (allowPrivate && scheme == "http") else { throw refused(text, "must use https") }
        let rest = text[separator.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.contains("@") else { throw refused(text, "must not carry a user name or password") }
        guard !authority.contains("%"), !authority.contains("\\") else { throw refused(text, "host must not be percent-encoded") }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw refused(text, "has an unclosed IPv6 address") }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw refused(text, "has text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        var name = host.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw refused(text, "has no host") }
        var port = scheme == "https" ? 443 : 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value), portText.allSatisfy(\.isNumber) else {
                throw refused(text, "has an invalid port")
            }
            port = value
        }
        return WebhookTarget(url: text, scheme: scheme, host: name, port: port)
    }

    static func refused(_ url: String, _ reason: String) -> DomainError {
        DomainError(.unprocessable, code: "invalid_webhook_url", title: "回调地址不可用",
                    detail: "the webhook URL \(reason) (\(WebhookURL.redacted(url)))")
    }
}

/// Webhook URLs carry credentials (a robot's key or access token): only this redacted form is shown or logged.
public enum WebhookURL {
    /// Keeps scheme, host, the path's word-like segments (`cgi-bin`, `send`, `v2`) and the query's word-like names;
    /// every other segment, every query value, and a query part that is not `name=value` become `***`. A token
    /// may be short, so length alone does not decide: mixed case, digits or other characters do.
    public static func redacted(_ url: String) -> String {
        guard let separator = url.range(of: "://") else { return "***" }
        let scheme = url[..<separator.lowerBound]
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if let at = authority.lastIndex(of: "@") { authority = "***@" + authority[authority.index(after: at)...] }
        let afterAuthority = rest[authorityEnd...].prefix { $0 != "#" }
        let path = afterAuthority.prefix { $0 != "?" }
        let query = afterAuthority.dropFirst(path.count).dropFirst()
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map { $0.isEmpty || isWordLike($0) ? String($0) : "***" }
        var out = "\(scheme)://\(authority)\(segments.joined(separator: "/"))"
        if !query.isEmpty {
            out += "?" + query.split(separator: "&").map { pair in
                guard let equals = pair.firstIndex(of: "="), isWordLike(pair[..<equals]) else { return "***" }
                return "\(pair[..<equals])=***"
            }.joined(separator: "&")
        }
        return out
    }

    /// A name rather than a secret: at most 24 lower-case ASCII letters, `-`, `_` or `.`, and at most one digit
    /// (`v2`, `cgi-bin`, `access_token`).
    static func isWordLike(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 24 else { return false }
        var digits = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "a"..."z", "-", "_", ".": continue
            case "0"..."9": digits += 1
            default: return false
            }
        }
        return digits <= 1
    }
}
