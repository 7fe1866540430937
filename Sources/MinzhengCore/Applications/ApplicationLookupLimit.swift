import Foundation

/// Anonymous look-ups (application number plus the ID number's last six characters) per caller address and per
/// application number: the six characters hold only about 15 bits, so guessing them must be slow from one
/// address and from many. Counted in memory, per process.
public struct ApplicationLookupLimit: Sendable {
    let buckets: TokenBuckets

    /// Twenty tries an hour for an address and for a number: a citizen who mistypes needs a few.
    public static let standard = TokenBuckets.Limit(perSecond: 20.0 / 3600, burst: 20)

    public init(_ limit: TokenBuckets.Limit = standard) {
        buckets = TokenBuckets(limit)
    }

    func admit(number: String, address: String, at: Date) throws(DomainError) {
        guard let wait = buckets.take(["n\u{1F}\(number)", "a\u{1F}\(address)"], now: at.timeIntervalSince1970) else { return }
        throw .tooMany(code: "too_many_lookups", title: "查询过于频繁，请稍后再试",
                       detail: "at most \(Int(buckets.limit.burst)) look-ups per address and per application number an hour", wait: wait)
    }
}
