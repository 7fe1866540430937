import Foundation
import MinzhengCore
@testable import MinzhengNotify
import Testing

/// The worker's cache of opened receivers: what it refuses, and what it never shows.
@Suite struct OpenedReceiversTests {
    let cipher = PersonalDataCipher(masterKey: PersonalDataCipher.generateMasterKey())

    func delivery(_ channel: WebhookChannel, subscription: Int64, url: Data, secret: Data?) -> ClaimedDelivery {
        ClaimedDelivery(id: "msg_\(subscription)", attempt: 1, failures: 0, subscriptionID: subscription, channel: channel, sealedURL: url,
                        sealedSecret: secret, eventID: 1, eventType: .bookingConfirmed, eventData: "{}", occurredAt: Date(), officeID: nil)
    }

    @Test func aSecretThatCannotBeOpenedStopsTheMessage() throws {
        let receivers = OpenedReceivers()
        let url = try cipher.seal("https://example.invalid/hook?key=k-693a91f6")
        let otherKey = PersonalDataCipher(masterKey: PersonalDataCipher.generateMasterKey())
        // Sealed under another key: sending unsigned instead would hand the receiver a message it must refuse.
        #expect(receivers.open(delivery(.webhook, subscription: 1, url: url, secret: try otherKey.seal("whsec_abc")), with: cipher) == nil)
        #expect(receivers.open(delivery(.webhook, subscription: 2, url: try otherKey.seal("https://x.invalid"), secret: nil), with: cipher) == nil)
        let noSecret = try #require(receivers.open(delivery(.webhook, subscription: 3, url: url, secret: nil), with: cipher))
        #expect(noSecret.secret == nil && noSecret.webhookSigner == nil)
    }

    @Test func onlyAppWebhooksGetASignerAndNothingPrintsTheCredentials() throws {
        let receivers = OpenedReceivers()
        let secretText = "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()
        let url = try cipher.seal("https://example.invalid/hook?key=k-693a91f6")
        let app = try #require(receivers.open(delivery(.webhook, subscription: 1, url: url, secret: try cipher.seal(secretText)), with: cipher))
        let ding = try #require(receivers.open(delivery(.dingtalk, subscription: 2, url: url, secret: try cipher.seal("SECa1b2c3d4")), with: cipher))
        #expect(app.secret == secretText && app.webhookSigner != nil)
        #expect(ding.secret == "SECa1b2c3d4" && ding.webhookSigner == nil)
        for shown in [String(describing: app), String(reflecting: app), app.webhookSigner.map { String(describing: $0) } ?? ""] {
            #expect(!shown.contains("693a91f6") && !shown.contains("whsec_") && !shown.contains("BwcH"), "\(shown)")
        }
        var dumped = ""
        dump(app, to: &dumped)
        dump(app.webhookSigner, to: &dumped)  // the signer alone, as a log of it would reach it
        #expect(!dumped.contains("693a91f6") && !dumped.contains("whsec_") && !dumped.contains("Hasher"), "\(dumped)")
    }
}

/// The worker's per-robot limits and pauses, by URL.
@Suite struct ReceiverLimitsTests {
    @Test func aPauseHoldsEveryWebhookOnThatRobotUntilItEnds() {
        let limits = ReceiverLimits()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let robot = "https://oapi.dingtalk.com/robot/send?access_token=a", other = "https://oapi.dingtalk.com/robot/send?access_token=b"
        limits.pause(robot, until: now.addingTimeInterval(600))
        // Asked by one webhook's reply: a delivery of any webhook with that URL waits until then; another robot does not.
        #expect(limits.admit(robot, channel: .dingtalk, at: now.addingTimeInterval(1)) == now.addingTimeInterval(600))
        #expect(limits.admit(other, channel: .dingtalk, at: now.addingTimeInterval(1)) == now.addingTimeInterval(1))
        // A shorter pause asked later does not shorten it; once it is over, the robot takes messages again.
        limits.pause(robot, until: now.addingTimeInterval(5))
        #expect(limits.admit(robot, channel: .dingtalk, at: now.addingTimeInterval(10)) == now.addingTimeInterval(600))
        #expect(limits.admit(robot, channel: .dingtalk, at: now.addingTimeInterval(601)) == now.addingTimeInterval(601))
    }
}
