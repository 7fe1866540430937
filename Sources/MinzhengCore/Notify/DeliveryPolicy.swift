import Foundation

/// When a failed delivery is tried again: 5 s, 30 s, 5 min, 30 min, 2 h, 6 h after each failure, then it is
/// dead (seven attempts over about nine hours). A receiver's `Retry-After` or throttle can only lengthen a wait.
public struct RetrySchedule: Sendable, Equatable {
    public let delays: [TimeInterval]

    public init(delays: [TimeInterval] = [5, 30, 300, 1800, 7200, 21_600]) {
        self.delays = delays
    }

    /// The moment of the next attempt after attempt `attempt` (1 = the first) failed, or nil: dead.
    public func nextAttempt(after attempt: Int, at now: Date, retryAfter: TimeInterval?) -> Date? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        return now.addingTimeInterval(max(delays[attempt - 1], retryAfter ?? 0))
    }

    public var maxAttempts: Int { delays.count + 1 }
}

/// What each receiver accepts per time window (DOMAIN.md): WeCom and DingTalk robots 20 a minute, Feishu bots
/// 5 a second and 100 a minute. App webhooks have no platform limit.
public struct SendRate: Sendable, Equatable {
    public let count: Int
    public let seconds: TimeInterval

    public init(_ count: Int, per seconds: TimeInterval) {
        self.count = count
        self.seconds = seconds
    }

    public static func limits(for channel: WebhookChannel) -> [SendRate] {
        switch channel {
        case .wecom, .dingtalk: [SendRate(20, per: 60)]
        case .feishu: [SendRate(5, per: 1), SendRate(100, per: 60)]
        case .webhook: []
        }
    }
}

/// Sends to one receiver within its limits by waiting: remembers when recent messages went and says when the
/// next may go. A sliding log, so no window of the limit's length ever holds more than its count. Windows are
/// kept 5% + 50 ms longer than the platform's, because the platform counts arrivals, and messages sent in
/// order can arrive closer together than they left.
public struct SendLog: Sendable {
    private let limits: [SendRate]
    private var sent: [Date] = []

    public init(limits: [SendRate]) {
        self.limits = limits
    }

    /// The earliest moment another message may go (now, or later when a window is full).
    public func nextAllowed(at now: Date) -> Date {
        var earliest = now
        for limit in limits where sent.count >= limit.count {
            // The window is full until the oldest of its last `count` messages leaves it.
            let oldest = sent[sent.count - limit.count]
            earliest = max(earliest, oldest.addingTimeInterval(Self.guarded(limit.seconds)))
        }
        return earliest
    }

    static func guarded(_ window: TimeInterval) -> TimeInterval { window * 1.05 + 0.05 }

    public mutating func record(_ at: Date) {
        sent.append(at)
        let keep = limits.map(\.count).max() ?? 0
        if sent.count > keep * 2 { sent.removeFirst(sent.count - keep) }
    }
}
