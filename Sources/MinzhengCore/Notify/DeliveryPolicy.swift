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

/// Sends to one receiver within its limits by waiting. The platforms count arrivals, and a message arrives
/// some time between leaving and its reply; so a message counts from when it is sent until its reply came
/// plus the window. A new one may go when fewer than the limit are in flight or replied within the window
/// (kept 5% + 50 ms longer than the platform's, for clocks and scheduling).
public struct SendLog: Sendable {
    private let limits: [SendRate]
    /// When replies came, oldest first; only the last window's worth is kept.
    private var replied: [Date] = []
    private var inFlight = 0

    public init(limits: [SendRate]) {
        self.limits = limits
    }

    /// The earliest moment another message may go: now, or later when a window is full.
    public func nextAllowed(at now: Date) -> Date {
        var earliest = now
        for limit in limits {
            let window = Self.guarded(limit.seconds)
            let recent = replied.drop { $0 <= now.addingTimeInterval(-window) }
            let over = recent.count + inFlight - limit.count + 1
            guard over > 0 else { continue }
            if over > recent.count {
                // Full with messages still in flight: look again shortly after their replies.
                earliest = max(earliest, now.addingTimeInterval(0.05))
            } else {
                earliest = max(earliest, recent[recent.startIndex + over - 1].addingTimeInterval(window))
            }
        }
        return earliest
    }

    static func guarded(_ window: TimeInterval) -> TimeInterval { window * 1.05 + 0.05 }

    public mutating func sent() { inFlight += 1 }

    public mutating func replied(at: Date) {
        inFlight = max(0, inFlight - 1)
        replied.append(at)
        let keep = limits.map(\.count).max() ?? 0
        if replied.count > keep * 2 { replied.removeFirst(replied.count - keep) }
    }
}
