import Foundation
import MinzhengCore
import Testing

/// Expected values computed with Python's `hmac`, `hashlib` and `base64`, independently of this code.
@Suite struct WebhookSignatureTests {
    let secret = "SEC1234567890abcdef"

    @Test func dingTalkSignsTimestampAndSecretWithTheSecret() {
        #expect(WebhookSignatures.dingTalk(secret: secret, timestampMilliseconds: 1_700_000_000_000)
            == "RqBq3E1RTBDv3n2QBCh4adZ2WHk9mVklyUoDBLxarjI%3D")
    }

    @Test func feishuSignsNothingWithTimestampAndSecret() {
        #expect(WebhookSignatures.feishu(secret: secret, timestampSeconds: 1_700_000_000) == "q8Irq6jvUWZylp2Ox+urXynCLWrdgv6AW58ufc48Reo=")
    }

    @Test func standardWebhooksSignIdTimestampAndBody() {
        let signature = WebhookSignatures.standardWebhook(
            secret: Data("0123456789abcdef0123456789abcdef".utf8), id: "msg_1", timestampSeconds: 1_700_000_000,
            body: Data(#"{"type":"booking.confirmed"}"#.utf8))
        #expect(signature == "v1,LTC6hpiFp73vGOmf3GS4Am3qv3lNUhEebDtFHPRRodM=")
    }

    /// The delivery worker keeps one signer per subscription: a message signed with it must not carry anything
    /// of the messages signed before it, whichever task signs.
    @Test func aKeptSignerSignsEachMessageAlone() async {
        let signer = StandardWebhookSigner(secret: Data("0123456789abcdef0123456789abcdef".utf8))
        let first = (id: "msg_1", seconds: Int64(1_700_000_000), body: Data(#"{"type":"booking.confirmed"}"#.utf8),
                     expected: "v1,LTC6hpiFp73vGOmf3GS4Am3qv3lNUhEebDtFHPRRodM=")
        let second = (id: "msg_2", seconds: Int64(1_700_000_060), body: Data(#"{"type":"booking.cancelled"}"#.utf8),
                      expected: "v1,amQvd0qxiXG/Cq0apWAkh76NNmcse3h21yzxYIeAt7E=")
        let signatures = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                let message = index % 2 == 0 ? first : second
                group.addTask { signer.signature(id: message.id, timestampSeconds: message.seconds, body: message.body) == message.expected }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(signatures.count == 200 && signatures.allSatisfy { $0 })
    }

    @Test func textIsCutWithoutBreakingACharacter() {
        let text = String(repeating: "婚姻登记预约成功", count: 200)  // 3 bytes a character
        let cut = ByteLimit.cut(text, toBytes: 2048)
        #expect(cut.utf8.count <= 2048 && cut.utf8.count >= 2040)
        #expect(cut.hasSuffix("…") && text.hasPrefix(String(cut.dropLast())))
        #expect(cut.dropLast().count == (2048 - "…".utf8.count) / 3)  // whole characters only, as many as fit
        #expect(ByteLimit.cut("短消息", toBytes: 2048) == "短消息")
    }

    @Test func repliesAreJudgedByTheirBody() {
        func body(_ json: String) -> Data { Data(json.utf8) }
        #expect(ReplyClassifier.classify(.wecom, status: 200, body: body(#"{"errcode":0,"errmsg":"ok"}"#)) == .delivered)
        #expect(ReplyClassifier.classify(.wecom, status: 200, body: body(#"{"errcode":45009,"errmsg":"api freq out of limit"}"#))
            == .retry(after: 60, reason: "wecom 45009 rate limited"))
        #expect(ReplyClassifier.classify(.wecom, status: 200, body: body(#"{"errcode":93000,"errmsg":"invalid webhook url"}"#))
            == .permanent(reason: "wecom 93000 invalid webhook URL"))
        #expect(ReplyClassifier.classify(.dingtalk, status: 200, body: body(#"{"errcode":130101,"errmsg":"send too fast"}"#))
            == .retry(after: 600, reason: "dingtalk 130101 throttled for 10 minutes"))
        if case .permanent = ReplyClassifier.classify(.dingtalk, status: 200, body: body(#"{"errcode":310000,"errmsg":"sign not match"}"#)) {} else {
            Issue.record("310000 must be permanent")
        }
        #expect(ReplyClassifier.classify(.feishu, status: 200, body: body(#"{"code":0,"msg":"success"}"#)) == .delivered)
        if case .permanent = ReplyClassifier.classify(.feishu, status: 200, body: body(#"{"code":19021,"msg":"sign match fail"}"#)) {} else {
            Issue.record("19021 must be permanent")
        }
        #expect(ReplyClassifier.classify(.feishu, status: 400, body: body(#"{"code":9499,"msg":"too many request"}"#), retryAfter: 3)
            == .retry(after: 3, reason: "feishu 9499 too many requests"))
        #expect(ReplyClassifier.classify(.webhook, status: 503, body: Data(), retryAfter: 30) == .retry(after: 30, reason: "HTTP 503"))
        #expect(ReplyClassifier.classify(.webhook, status: 404, body: Data()) == .permanent(reason: "HTTP 404"))
        #expect(ReplyClassifier.classify(.webhook, status: 204, body: Data()) == .delivered)
        // A robot's HTTP 200 without its code is not a delivery.
        if case .retry = ReplyClassifier.classify(.wecom, status: 200, body: body("<html>gateway</html>")) {} else {
            Issue.record("an HTML 200 from a robot must be retried")
        }
    }
}
