import Foundation

/// Booking attempts per citizen (an app's subject) and per ID number: a script that books on and off to
/// hoard places, or one person tried through many accounts, is slowed down to `limit` (default 20 a minute),
/// well above what a couple retrying by hand ever reaches. Counted in memory, per process.
public struct BookingAttemptLimit: Sendable {
    /// Citizens' and ID numbers' buckets, keyed apart ("c", "i"): one attempt takes from all of its buckets or none.
    let buckets: TokenBuckets

    public static let standard = TokenBuckets.Limit(perSecond: 20.0 / 60, burst: 20)

    public init(_ limit: TokenBuckets.Limit = standard) {
        buckets = TokenBuckets(limit)
    }

    /// Counts one attempt for `owner` and each of `idHashes` (ID numbers as their look-up hashes: no number is
    /// kept in memory); throws 429 `too_many_attempts`, counting nothing, when any of them has none left.
    func admit(_ owner: BookingOwner, idHashes: [String], at: Date) throws(DomainError) {
        let keys = ["c\u{1F}\(owner.clientID)\u{1F}\(owner.subject)"] + idHashes.map { "i\u{1F}\($0)" }
        guard let wait = buckets.take(keys, now: at.timeIntervalSince1970) else { return }
        let limit = buckets.limit
        throw .tooMany(code: "too_many_attempts", title: "预约操作过于频繁，请稍后再试",
                       detail: "at most \(Int(limit.burst)) booking attempts per citizen and per ID number in \(Int(limit.burst / limit.perSecond)) s",
                       wait: wait)
    }
}
