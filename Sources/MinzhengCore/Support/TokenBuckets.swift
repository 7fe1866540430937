import Synchronization

/// Token buckets by key (an app, an address, a citizen): each holds up to `burst` tokens and gains `perSecond`
/// of them a second; a request takes one, or is told how long until one is there. Kept in memory, per
/// process: N processes behind a balancer allow N times the rate (docs/deploy.md says so).
public final class TokenBuckets: Sendable {
    public struct Limit: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Double

        public init(perSecond: Double, burst: Double) {
            self.perSecond = perSecond
            self.burst = max(1, burst)
        }

        /// "20/s", "30/min" or "600/h": that many, with a burst of the same number. nil: not understood.
        public init?(_ text: String) {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let count = Double(parts[0]), count >= 1, count <= 1_000_000 else { return nil }
            let seconds: Double
            switch parts[1] {
            case "s": seconds = 1
            case "min": seconds = 60
            case "h": seconds = 3600
            default: return nil
            }
            self.init(perSecond: count / seconds, burst: count)
        }
    }

    private struct Bucket {
        var tokens: Double
        var at: Double
    }

    public let limit: Limit
    private let maxKeys: Int
    private let buckets = Mutex<[String: Bucket]>([:])

    /// `maxKeys`: beyond this many keys, buckets that have filled up again are forgotten (they would answer as a new one).
    public init(_ limit: Limit, maxKeys: Int = 100_000) {
        self.limit = limit
        self.maxKeys = maxKeys
    }

    /// Takes a token from `key`'s bucket at `now` (seconds on a clock that only moves forward, or a test's).
    /// nil: taken; otherwise the seconds to wait before one is there (nothing is taken).
    public func take(_ key: String, now: Double) -> Double? { take([key], now: now) }

    /// One token from each of `keys`' buckets, or none at all: a request refused for one key costs the others
    /// nothing (someone over their own limit cannot drain another person's bucket). nil: taken; otherwise the
    /// seconds until every bucket has one.
    public func take(_ keys: [String], now: Double) -> Double? {
        buckets.withLock { buckets in
            var refilled: [String: Bucket] = [:]
            var wait: Double?
            for key in keys {
                var bucket = refilled[key] ?? buckets[key] ?? Bucket(tokens: limit.burst, at: now)
                // A clock set back (tests move theirs) gives nothing and takes nothing.
                bucket.tokens = min(limit.burst, bucket.tokens + max(0, now - bucket.at) * limit.perSecond)
                bucket.at = max(bucket.at, now)
                if bucket.tokens < 1 { wait = max(wait ?? 0, (1 - bucket.tokens) / limit.perSecond) }
                refilled[key] = bucket
            }
            for (key, var bucket) in refilled {
                if wait == nil { bucket.tokens -= 1 }
                if buckets[key] == nil && buckets.count >= maxKeys { forgetOldest(&buckets, now: now) }
                buckets[key] = bucket
            }
            return wait
        }
    }

    /// Gives back the token a request took from `key` when a check after it refused the request (another set of
    /// buckets said no): the request then cost nothing here either. Never above the burst.
    public func giveBack(_ key: String) {
        buckets.withLock { buckets in
            guard var bucket = buckets[key] else { return }
            bucket.tokens = min(limit.burst, bucket.tokens + 1)
            buckets[key] = bucket
        }
    }

    /// Buckets untouched long enough to be full again are forgotten (exactly as if kept); if that is not enough,
    /// the tenth least recently used go too (they answer as new ones: a little generous, never unbounded).
    private func forgetOldest(_ buckets: inout [String: Bucket], now: Double) {
        let refill = limit.burst / limit.perSecond
        buckets = buckets.filter { now - $0.value.at < refill }
        guard buckets.count >= maxKeys else { return }
        for (key, _) in buckets.sorted(by: { $0.value.at < $1.value.at }).prefix(max(1, maxKeys / 10)) { buckets[key] = nil }
    }

    /// How many keys are remembered (tests).
    public var count: Int { buckets.withLock { $0.count } }
}
