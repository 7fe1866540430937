import Foundation

/// Anonymous look-ups (application number plus the ID number's last six characters) per caller (an app by its key,
/// else an address) and per application number: guessing must be slow from one caller and from many. Counted in
/// memory, per process; `ApplicationService` also closes an application to anonymous look-ups after too many wrong
/// ones, in the database.
public struct ApplicationLookupLimit: Sendable {
    let buckets: TokenBuckets

    /// Twenty tries an hour for an address and for a number: a citizen who mistypes needs a few.
    public static let standard = TokenBuckets.Limit(perSecond: 20.0 / 3600, burst: 20)

    public init(_ limit: TokenBuckets.Limit = standard) {
        buckets = TokenBuckets(limit)
    }

    /// Who is counted: an app by its key (it asks for many citizens from one backend), a citizen or a staff member by
    /// their session, anyone else by address.
    static func key(_ caller: Caller, address: String) -> String {
        switch caller {
        case .client(let client): "app \(client.id)"
        case .citizen(let session): "citizen \(session.clientID) \(session.subject)"
        case .staff(let member): "staff \(member.id)"
        case .anonymous, .rejected: "address \(address)"
        }
    }

    func admit(number: String?, caller: String, at: Date) throws(DomainError) {
        let keys = ["c\u{1F}\(caller)"] + (number.map { ["n\u{1F}\($0)"] } ?? [])
        guard let wait = buckets.take(keys, now: at.timeIntervalSince1970) else { return }
        throw .tooMany(code: "too_many_lookups", title: "查询过于频繁，请稍后再试",
                       detail: "at most \(Int(buckets.limit.burst)) look-ups per caller and per application number in \(Int(buckets.limit.burst / buckets.limit.perSecond)) s",
                       wait: wait)
    }
}
