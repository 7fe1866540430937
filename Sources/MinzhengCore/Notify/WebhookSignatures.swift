import Crypto
import Foundation

/// The signatures each receiver checks (DOMAIN.md, "Notifications over WeChat-style webhooks"). Groundwork for
/// the delivery worker of issue 5: pure functions, tested against values computed with Python's `hmac`.
public enum WebhookSignatures {
    /// DingTalk custom robot: `sign = urlencode(base64(HMAC-SHA256(key: secret, message: "<ms>\n<secret>")))`,
    /// sent as the `sign` query parameter beside `timestamp=<ms>`.
    public static func dingTalk(secret: String, timestampMilliseconds: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(timestampMilliseconds)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return formEncoded(Data(mac).base64EncodedString())
    }

    /// Feishu/Lark custom bot: `sign = base64(HMAC-SHA256(key: "<seconds>\n<secret>", message: empty))` — key and
    /// message the other way round from DingTalk's — sent in the body beside `"timestamp": "<seconds>"`.
    public static func feishu(secret: String, timestampSeconds: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data("\(timestampSeconds)\n\(secret)".utf8)))
        return Data(mac).base64EncodedString()
    }

    /// Standard Webhooks: `webhook-signature: v1,<base64(HMAC-SHA256(secret, "<id>.<timestamp>.<body>"))>`.
    public static func standardWebhook(secret: Data, id: String, timestampSeconds: Int64, body: Data) -> String {
        StandardWebhookSigner(secret: secret).signature(id: id, timestampSeconds: timestampSeconds, body: body)
    }

    /// Percent-encodes base64 for a query string (`+`, `/` and `=` are the only characters that need it).
    static func formEncoded(_ base64: String) -> String {
        var out = ""
        for character in base64 {
            switch character {
            case "+": out += "%2B"
            case "/": out += "%2F"
            case "=": out += "%3D"
            default: out.append(character)
            }
        }
        return out
    }
}

/// A Standard Webhooks secret ready to sign with: HMAC's key set up (two hash blocks and their contexts) once per
/// subscription instead of once per message, which was a third of a signature's cost.
public struct StandardWebhookSigner: @unchecked Sendable, CustomStringConvertible, CustomReflectable {
    // Unchecked: HMAC's hash contexts (swift-crypto's DigestContext, 3.12) are copied before they are written when
    // not uniquely referenced, and this value keeps its reference and is never written after init: each signature
    // writes its own copy.
    private let keyed: HMAC<SHA256>

    /// The keyed state signs like the secret itself: printed or dumped, a signer shows nothing of it.
    public var description: String { "StandardWebhookSigner(<redacted>)" }
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    public init(secret: Data) { keyed = HMAC<SHA256>(key: SymmetricKey(data: secret)) }

    /// From a subscription's secret as registered: a `whsec_` secret signs with its base64 body, any other with its text.
    public init(webhookSecret: String) { self.init(secret: NotificationService.signingKey(webhookSecret)) }

    public func signature(id: String, timestampSeconds: Int64, body: Data) -> String {
        var mac = keyed
        // Fed in parts: the body (most of the message) is not copied for the signature.
        mac.update(data: Data("\(id).\(timestampSeconds).".utf8))
        mac.update(data: body)
        return "v1," + Data(mac.finalize()).base64EncodedString()
    }
}

/// Text cut to a channel's byte limit (WeCom text 2,048 bytes, markdown 4,096; DingTalk 20,000; Feishu 20 KB)
/// without splitting a UTF-8 character: Chinese characters take three bytes each.
public enum ByteLimit {
    public static func cut(_ text: String, toBytes limit: Int, marker: String = "…") -> String {
        guard text.utf8.count > limit else { return text }
        let room = max(0, limit - marker.utf8.count)
        var used = 0
        var kept = ""
        for character in text {
            let size = character.utf8.count
            guard used + size <= room else { break }
            kept.append(character)
            used += size
        }
        return kept + (limit >= marker.utf8.count ? marker : "")
    }
}
