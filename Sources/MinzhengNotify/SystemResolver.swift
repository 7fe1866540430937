import Foundation
import MinzhengCore
#if canImport(Glibc)
import Glibc
#endif

/// Asks the system resolver (`getaddrinfo`) for a host's addresses: what a webhook's host name points at
/// when it is registered. Blocking, so only for registration, never on the delivery path (libcurl resolves
/// there, and the transport checks the address it connects to).
public enum SystemResolver {
    /// Resolves on a thread of its own, so a slow DNS answer never holds a thread of the Swift concurrency pool.
    public static func resolveAsync(_ host: String) async -> [IPAddress]? {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: resolve(host)) }.start()
        }
    }

    public static func resolve(_ host: String) -> [IPAddress]? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let current = node {
            if let raw = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                case AF_INET:
                    let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr.s_addr }
                    addresses.append(.v4(UInt32(bigEndian: address)))
                case AF_INET6:
                    var bytes = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
                    addresses.append(.v6(withUnsafeBytes(of: &bytes) { Array($0) }))
                default:
                    break
                }
            }
            node = current.pointee.ai_next
        }
        return addresses
    }
}
