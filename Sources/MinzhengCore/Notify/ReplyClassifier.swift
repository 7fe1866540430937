import Foundation

/// The receivers a notification goes to.
public enum WebhookChannel: String, Sendable, CaseIterable {
    case wecom, dingtalk, feishu, webhook
}

/// What one delivery attempt's reply means. The robots answer HTTP 200 even on failure, so the body decides.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// Try again, not before `after` seconds when the receiver said so (Retry-After, a robot's throttle).
    case retry(after: TimeInterval?, reason: String)
    /// Never retry: a configuration error someone has to fix.
    case permanent(reason: String)
}

public enum ReplyClassifier {
    /// DingTalk throttles a robot for ten minutes after more than 20 messages a minute (130101).
    public static let dingTalkThrottle: TimeInterval = 600

    /// Judges a reply: HTTP status first (408, 429 and 5xx retry; other 4xx are permanent), then the channel's
    /// own code in the body (DOMAIN.md lists them).
    public static func classify(_ channel: WebhookChannel, status: Int, body: Data, retryAfter: TimeInterval? = nil) -> DeliveryOutcome {
        let code = channel == .webhook ? nil : Self.code(channel, body)
        if channel == .feishu, status == 400, code == 9499 { return .retry(after: retryAfter ?? 1, reason: "feishu 9499 too many requests") }
        if status == 408 || status == 429 || status >= 500 { return .retry(after: retryAfter, reason: "HTTP \(status)") }
        guard (200..<300).contains(status) else { return .permanent(reason: "HTTP \(status)") }
        switch channel {
        case .webhook:
            return .delivered
        case .wecom:
            switch code {
            case 0: return .delivered
            case 45009: return .retry(after: retryAfter ?? 60, reason: "wecom 45009 rate limited")
            case -1: return .retry(after: retryAfter, reason: "wecom -1 busy")
            case 93000: return .permanent(reason: "wecom 93000 invalid webhook URL")
            case let other?: return .permanent(reason: "wecom errcode \(other)")
            case nil: return .retry(after: retryAfter, reason: "wecom reply without errcode")
            }
        case .dingtalk:
            switch code {
            case 0: return .delivered
            case 130101: return .retry(after: max(retryAfter ?? 0, dingTalkThrottle), reason: "dingtalk 130101 throttled for 10 minutes")
            case 310000: return .permanent(reason: "dingtalk 310000 keyword, signature, timestamp or IP configuration")
            case 460101: return .permanent(reason: "dingtalk 460101 message too large")
            case let other?: return .permanent(reason: "dingtalk errcode \(other)")
            case nil: return .retry(after: retryAfter, reason: "dingtalk reply without errcode")
            }
        case .feishu:
            switch code {
            case 0: return .delivered
            case 9499: return .retry(after: retryAfter ?? 1, reason: "feishu 9499 too many requests")
            case 19021: return .permanent(reason: "feishu 19021 bad signature or timestamp")
            case let other?: return .permanent(reason: "feishu code \(other)")
            case nil: return .retry(after: retryAfter, reason: "feishu reply without code")
            }
        }
    }

    /// `errcode` (WeCom, DingTalk) or `code` (Feishu) from a JSON reply; nil when the body is not such a reply.
    public static func code(_ channel: WebhookChannel, _ body: Data) -> Int? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        let value = channel == .feishu ? (object["code"] ?? object["StatusCode"]) : object["errcode"]
        return (value as? NSNumber)?.intValue
    }
}
