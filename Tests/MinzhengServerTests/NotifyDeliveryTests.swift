import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import MinzhengCore
import MinzhengNotify
import MinzhengServer
import MinzhengTesting
import Testing

/// Events from real bookings, through the outbox and the libcurl worker, to local receivers that speak each
/// robot's replies and check each signature themselves.
@Suite struct NotifyDeliveryTests {
    @Test func everyChannelGetsItsEventsSignedAndMasked() async throws {
        try await withNotifyWorld { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            receiver.setSecret("dt", "SECdingtalk-secret")
            receiver.setSecret("fs", "feishu-secret")
            _ = try await world.addWebhook("wecom", url: receiver.url("wecom", "wc", query: "?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"),
                                           events: ["booking.confirmed"], token: manager)
            _ = try await world.addWebhook("dingtalk", url: receiver.url("dingtalk", "dt", query: "?access_token=abcdef"), secret: "SECdingtalk-secret",
                                           events: ["booking.confirmed"], token: manager)
            _ = try await world.addWebhook("feishu", url: receiver.url("feishu", "fs"), secret: "feishu-secret", events: ["booking.confirmed"], token: manager)
            let signed = try await world.addWebhook("webhook", url: receiver.url("hook", "sw"), events: ["booking.confirmed"], token: manager)
            receiver.setSecret("sw", try #require(signed.secret))
            let app = try await world.setClientWebhook(url: receiver.url("hook", "app"), events: ["booking.confirmed", "booking.cancelled"])
            receiver.setSecret("app", try #require(app.secret))
            // Another city's group hears nothing of Nanjing.
            _ = try await world.addWebhook("wecom", url: receiver.url("wecom", "wx", query: "?key=other"), events: ["booking.confirmed"],
                                           token: try await world.staff("wuxi-manager"))

            let citizen = try await world.citizen("notify-1")
            let date = try await world.bookableDay()
            let booked: BookingBody = try await world.book(world.bookingJSON(date: date, couple: 41), token: citizen).decode()
            #expect(try await world.request(.post, "/v1/marriage-bookings/\(booked.id)/cancel", token: citizen).status == .ok)

            let receipts = try await receiver.wait { receipts in
                ["wc", "dt", "fs", "sw"].allSatisfy { robot in receipts.contains { $0.robot == robot } } && receipts.filter { $0.robot == "app" }.count == 2
            }
            try await Task.sleep(for: .milliseconds(300))  // anything extra would arrive by now
            for robot in ["wc", "dt", "fs", "sw"] {
                #expect(receiver.receipts(robot).count == 1, "\(robot)")
            }
            #expect(receiver.receipts("wx").isEmpty)
            #expect(receipts.filter { $0.signatureValid != nil }.allSatisfy { $0.signatureValid == true })
            let text = try #require(receiver.receipts("wc").first).text
            #expect(text.contains("预约成功") && text.contains("张*") && text.contains(booked.code))
            let (man, woman) = TestIDs.couple(41)
            for receipt in receiver.receipts {
                let body = String(decoding: receipt.body, as: UTF8.self)
                #expect(!body.contains(man) && !body.contains(woman) && !body.contains("13800138000") && !body.contains("张三"))
            }
            // Deliveries run in parallel, so order is not promised (receivers order by `timestamp`, as with Stripe or Svix).
            #expect(receiver.receipts("app").map(\.text).sorted() == ["booking.cancelled", "booking.confirmed"])
            #expect(Set(receiver.receipts("app").compactMap(\.webhookID)).count == 2)

            // Staff see their webhooks with the credential hidden, and each delivery with its attempt.
            let listed = try await world.request(.get, "/v1/staff/webhooks", token: manager)
            let listing = String(buffer: listed.body)
            #expect(listing.contains("key=***") && !listing.contains("693a91f6") && !listing.contains("abcdef") && !listing.contains("whsec_"))
            try await eventually { try await world.deliveries(token: manager).allSatisfy { $0.status == "delivered" } }
            let deliveries = try await world.deliveries(token: manager)
            #expect(deliveries.count == 4 && deliveries.allSatisfy { $0.status == "delivered" && $0.attempts.count == 1 })
            #expect(deliveries.first { $0.attempts.first?.reply_code == 0 } != nil)
        }
    }

    @Test func retryableRepliesAreRetriedUntilDelivered() async throws {
        // Two seconds for a reply, so the slow one below times out without making the test long. Half a second was
        // too little on a loaded machine: under the whole suite a robot's ordinary reply once came after it, and a
        // robot's timeout after sending counts as delivered, so the scripted failures were never seen.
        try await withNotifyWorld(configure: { $0.delivery.transport.totalTimeoutMilliseconds = 2_000 }) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            receiver.script("wc", [.code(45009), .code(-1), .status(503)])
            receiver.script("dt", [.code(130101)])
            receiver.script("fs", [.code(9499, http: 400)])
            receiver.script("sw", [.status(500), .slow(milliseconds: 4_000)])  // the second one times out after the body went out
            let wecom = try await world.addWebhook("wecom", url: receiver.url("wecom", "wc", query: "?key=k"), events: ["booking.confirmed"], token: manager)
            _ = try await world.addWebhook("dingtalk", url: receiver.url("dingtalk", "dt", query: "?access_token=t"), events: ["booking.confirmed"], token: manager)
            _ = try await world.addWebhook("feishu", url: receiver.url("feishu", "fs"), events: ["booking.confirmed"], token: manager)
            _ = try await world.addWebhook("webhook", url: receiver.url("hook", "sw"), events: ["booking.confirmed"], token: manager)

            let date = try await world.bookableDay()
            _ = try await world.bookMany(1, first: 51, date: date, token: try await world.citizen("notify-2"))
            _ = try await receiver.wait(seconds: 15) { receipts in
                receipts.filter { $0.robot == "wc" }.count == 4 && receipts.filter { $0.robot == "dt" }.count == 2
                    && receipts.filter { $0.robot == "fs" }.count == 2 && receipts.filter { $0.robot == "sw" }.count == 3
            }
            #expect(receiver.receipts("wc").count == 4)
            #expect(receiver.receipts("fs").count == 2)
            // DingTalk's throttle (130101) is waited out: ten minutes, scaled down to 0.6 s here.
            let ding = receiver.receipts("dt")
            #expect(ding.count == 2)
            if ding.count == 2 { #expect(ding[1].at.timeIntervalSince(ding[0].at) >= 0.55) }
            // A signed webhook keeps its webhook-id on every attempt, so the receiver can drop the duplicate.
            let signed = receiver.receipts("sw")
            #expect(signed.count == 3 && Set(signed.compactMap(\.webhookID)).count == 1)

            // The receiver has the last request a moment before the worker records it.
            try await eventually { try await world.deliveries(token: manager).allSatisfy { $0.status == "delivered" } }
            let history = try await world.deliveries("?webhook_id=\(wecom.id)", token: manager)
            let attempts = try #require(history.first).attempts
            #expect(history.first?.status == "delivered")
            #expect(attempts.map(\.outcome) == ["retry", "retry", "retry", "delivered"])
            #expect(attempts.map(\.reply_code) == [45009, -1, nil, 0])
            #expect(attempts.map(\.http_status) == [200, 200, 503, 200])
        }
    }

    @Test func permanentFailuresAreNotRetriedUntilStaffRetry() async throws {
        try await withNotifyWorld { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            receiver.script("wc", [.code(93000)])
            receiver.setSecret("dt", "the-real-secret")   // the webhook was registered with another: 310000
            receiver.setSecret("fs", "the-real-secret")   // 19021
            receiver.script("sw", [.status(404)])
            for (channel, robot) in [("wecom", "wc"), ("dingtalk", "dt"), ("feishu", "fs"), ("webhook", "sw")] {
                _ = try await world.addWebhook(channel, url: receiver.url(channel == "webhook" ? "hook" : channel, robot),
                                               secret: channel == "wecom" ? nil : "a-stale-secret", events: ["booking.confirmed"], token: manager)
            }
            let date = try await world.bookableDay()
            _ = try await world.bookMany(1, first: 61, date: date, token: try await world.citizen("notify-3"))
            try await eventually { try await world.deliveries("?status=dead", token: manager).count == 4 }
            try await Task.sleep(for: .milliseconds(500))  // the schedule's waits are 0.1 s: a retry would have come
            for robot in ["wc", "dt", "fs", "sw"] { #expect(receiver.receipts(robot).count == 1, "\(robot)") }
            let dead = try await world.deliveries("?status=dead", token: manager)
            #expect(Set(dead.compactMap { $0.attempts.first?.reply_code }) == [93000, 310000, 19021])
            #expect(dead.allSatisfy { $0.attempts.count == 1 && $0.attempts[0].outcome == "dead" })

            // Fixed on the robot's side, a manager sends one again; clerks may not, other cities cannot see it.
            let wecomDelivery = try #require(dead.first { $0.attempts.first?.reply_code == 93000 })
            let clerk = try await world.staff("nanjing-clerk")
            #expect(try await world.request(.post, "/v1/staff/deliveries/\(wecomDelivery.id)/retry", token: clerk).status == .forbidden)
            let wuxi = try await world.staff("wuxi-manager")
            #expect(try await world.request(.post, "/v1/staff/deliveries/\(wecomDelivery.id)/retry", token: wuxi).status == .notFound)
            #expect(try await world.request(.post, "/v1/staff/deliveries/\(wecomDelivery.id)/retry", token: manager).status == .ok)
            _ = try await receiver.wait { $0.filter { $0.robot == "wc" }.count == 2 }
            try await eventually { try await world.deliveries("?status=delivered", token: manager).count == 1 }
            let again = try await world.request(.post, "/v1/staff/deliveries/\(wecomDelivery.id)/retry", token: manager)
            #expect(again.status == .conflict && again.problemCode == "delivery_not_dead")
            let audit = try await world.services.storage.audit.auditTrail().map(\.action)
            #expect(audit.contains("delivery.retry") && audit.filter { $0 == "webhook.create" }.count == 4)
        }
    }

    /// With two webhooks on one robot's URL, the robot's limit is still kept: it is the robot's, not each webhook's.
    @Test(arguments: [1, 2]) func feishuLimitOfFivePerSecondIsKeptByWaiting(webhooks: Int) async throws {
        try await withNotifyWorld { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            for _ in 0..<webhooks {
                _ = try await world.addWebhook("feishu", url: receiver.url("feishu", "fs"), events: ["booking.confirmed"], token: manager)
            }
            let date = try await world.bookableDay()
            _ = try await world.bookMany(12, first: 71, date: date, token: try await world.citizen("notify-4"))
            let expected = 12 * webhooks
            let receipts = try await receiver.wait(seconds: 20) { $0.count == expected }
            #expect(receipts.count == expected)
            let times = receipts.map(\.at).sorted()
            for (index, start) in times.enumerated() {
                #expect(times[index...].prefix { $0 < start.addingTimeInterval(1) }.count <= 5)
            }
            if let first = times.first, let last = times.last { #expect(last.timeIntervalSince(first) >= Double(expected) / 5 - 0.5) }
            // Waiting is not failing: every delivery took one attempt.
            try await eventually { try await world.deliveries(token: manager).allSatisfy { $0.status == "delivered" } }
            #expect(try await world.deliveries(token: manager).allSatisfy { $0.attempts.count == 1 })
        }
    }

    @Test func aRemovedWebhookGetsNoMoreRetries() async throws {
        try await withNotifyWorld(configure: { $0.delivery.schedule = RetrySchedule(delays: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]) }) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            receiver.script("gone", Array(repeating: .status(500), count: 10))
            let hook = try await world.addWebhook("webhook", url: receiver.url("hook", "gone"), events: ["booking.confirmed"], token: manager)
            _ = try await world.bookMany(1, first: 111, date: try await world.bookableDay(), token: try await world.citizen("notify-8"))
            _ = try await receiver.wait { !$0.isEmpty }
            #expect(try await world.request(.delete, "/v1/staff/webhooks/\(hook.id)", token: manager).status == .noContent)
            let sent = receiver.receipts.count
            try await eventually {
                try await world.services.storage.notifications.deliveries(subscriptionIDs: [hook.id], status: .cancelled, limit: 10).count == 1
            }
            try await Task.sleep(for: .milliseconds(800))
            #expect(receiver.receipts.count <= sent + 1)  // at most the attempt already under way when it was removed
        }
    }

    @Test func droppedConnectionsAreRetriedThenGivenUp() async throws {
        let dropper = try DroppingListener()
        defer { dropper.stop() }
        try await withNotifyWorld { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            _ = try await world.addWebhook("webhook", url: "http://127.0.0.1:\(dropper.port)/hook", events: ["booking.confirmed"], token: manager)
            let date = try await world.bookableDay()
            _ = try await world.bookMany(1, first: 81, date: date, token: try await world.citizen("notify-5"))
            // Seven attempts 0.1 s apart take about a second alone; in a starved `make test` (2026-12-01) 15 s saw one.
            try await eventually(seconds: 60) { try await world.deliveries("?status=dead", token: manager).count == 1 }
            let dead = try #require(try await world.deliveries(token: manager).first)
            #expect(dead.attempts.count == RetrySchedule().maxAttempts)
            #expect(dead.attempts.dropLast().allSatisfy { $0.outcome == "retry" && $0.detail.contains("curl") })
        }
    }

    @Test func officeEventsReachTheOfficesGroup() async throws {
        try await withNotifyWorld(configure: { $0.notifyPolicy.nearlyFullShare = 0.1 }) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            _ = try await world.addWebhook("wecom", url: receiver.url("wecom", "office"), events: ["office.closed", "capacity.nearly_full"],
                                           scope: #","office_id":\#(BookingWorld.nanjingXuanwu)"#, token: manager)
            let app = try await world.setClientWebhook(url: receiver.url("hook", "app"), events: ["booking.cancelled_by_office"])
            receiver.setSecret("app", try #require(app.secret))
            let date = try await world.bookableDay()
            // 60 places a day: the tenth booking crosses 10%, and the event fires once.
            _ = try await world.bookMany(12, first: 91, date: date, token: try await world.citizen("notify-6"))
            let closed = try await world.request(.post, "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/closures", token: manager,
                                                 json: #"{"date":"\#(date)","reason":"系统升级"}"#)
            #expect(closed.status == .ok || closed.status == .created, "\(String(buffer: closed.body))")
            let receipts = try await receiver.wait { $0.filter { $0.robot == "office" }.count == 2 && $0.filter { $0.robot == "app" }.count == 12 }
            try await Task.sleep(for: .milliseconds(300))
            let office = receiver.receipts("office").map(\.text)
            #expect(office.count == 2)
            #expect(office.contains { $0.contains("号源即将约满") && $0.contains("已约：6 / 60") })
            #expect(office.contains { $0.contains("停止办理") && $0.contains("系统升级") && $0.contains("12 个") })
            #expect(receipts.filter { $0.robot == "app" }.allSatisfy { $0.signatureValid == true && $0.text == "booking.cancelled_by_office" })
        }
    }

    @Test func aCancelledBookingGetsNoReminder() async throws {
        try await withNotifyWorld(worker: false) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let hook = try await world.addWebhook("webhook", url: receiver.url("hook", "remind"), events: ["booking.reminder"], token: manager)
            receiver.setSecret("remind", try #require(hook.secret))
            let date = try await world.bookableDay()
            let made = try await world.bookMany(2, first: 101, date: date, token: try await world.citizen("notify-7"))
            #expect(try await world.request(.post, "/v1/marriage-bookings/\(made[0].id)/cancel", token: try await world.citizen("notify-7")).status == .ok)

            // A worker whose clock reads the evening before the booking day.
            let start = Date()
            let evening = try #require(LocalDate(iso: date)).adding(days: -1).instant(hour: 18, minute: 5)
            let worker = try world.deliveryWorker(now: { evening.addingTimeInterval(Date().timeIntervalSince(start)) })
            let running = Task { try await worker.run() }
            defer { running.cancel() }
            let receipts = try await receiver.wait { !$0.isEmpty }
            try await Task.sleep(for: .milliseconds(400))
            #expect(receiver.receipts.count == 1)
            let first = try #require(receipts.first)
            #expect(first.signatureValid == true)
            let event = try #require(try JSONSerialization.jsonObject(with: first.body) as? [String: Any])
            #expect(event["type"] as? String == "booking.reminder")
            #expect((event["data"] as? [String: Any])?["booking_id"] as? String == made[1].id)
        }
    }
}

extension NotifyDeliveryTests {
    /// A receiver that asked for a pause gets nothing until it ends, also not a delivery whose lease ran out
    /// (its worker died) after the pause was recorded: `claim` once sent those at once.
    @Test func aPausedReceiverGetsNoLeaseThatRanOut() async throws {
        try await withNotifyWorld(worker: false) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let hook = try await world.addWebhook("dingtalk", url: receiver.url("dingtalk", "paused"), events: ["booking.confirmed"], token: manager)
            _ = try await world.bookMany(2, first: 121, date: try await world.bookableDay(), token: try await world.citizen("notify-9"))
            let store = world.services.storage.notifications
            let now = Date()
            // The subscriptions as the fan-out's own transaction reads them: the webhook made before the bookings is there.
            let claimed = try await store.fanOut(now: now, limit: 100, lease: 60) { event, subscriptions in
                event.type == .bookingConfirmed ? subscriptions.map(\.id).filter { $0 == hook.id } : []
            }.claimed
            try #require(claimed.count == 2)
            // The first delivery's worker dies with it; the second's reply is DingTalk's throttle: a ten-minute pause.
            let throttled = DeliveryResult(deliveryID: claimed[1].id, attempt: 1, at: now, next: .retry(at: now.addingTimeInterval(600)),
                                           httpStatus: 200, replyCode: 130101, detail: "throttled", pauseReceiverUntil: now.addingTimeInterval(600),
                                           subscriptionID: hook.id)
            try await store.record([throttled])
            #expect(try await store.claim(now: now.addingTimeInterval(61), limit: 100, lease: 60).isEmpty)
            let after = try await store.claim(now: now.addingTimeInterval(601), limit: 100, lease: 60)
            #expect(Set(after.map(\.id)) == Set(claimed.map(\.id)))
            // Given back during the pause, the first is still on its second attempt.
            #expect(after.first { $0.id == claimed[0].id }?.attempt == 2)
        }
    }

    /// A reminder on the wire when its booking is cancelled is let be, but if the robot asks for it again later, it
    /// is not sent: once, `record` put it back to pending and `claim` sent it for the cancelled booking.
    @Test func aCancelledBookingsReminderIsNotTriedAgain() async throws {
        try await withNotifyWorld(worker: false) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let hook = try await world.addWebhook("dingtalk", url: receiver.url("dingtalk", "remind-again"), events: ["booking.reminder"], token: manager)
            let date = try await world.bookableDay()
            let citizen = try await world.citizen("notify-11")
            let made = try await world.bookMany(1, first: 141, date: date, token: citizen)
            let evening = try #require(LocalDate(iso: date)).adding(days: -1).instant(hour: 18, minute: 5)
            let store = world.services.storage.notifications
            let claimed = try await store.fanOut(now: evening, limit: 100, lease: 60) { event, _ in event.type == .bookingReminder ? [hook.id] : [] }.claimed
            try #require(claimed.count == 1)
            #expect(try await world.request(.post, "/v1/marriage-bookings/\(made[0].id)/cancel", token: citizen).status == .ok)
            try await store.record([DeliveryResult(deliveryID: claimed[0].id, attempt: 1, at: evening, next: .retry(at: evening.addingTimeInterval(5)),
                                                   httpStatus: 500, detail: "HTTP 500", subscriptionID: hook.id)])
            #expect(try await store.claim(now: evening.addingTimeInterval(10), limit: 100, lease: 60).isEmpty)
            #expect(try await store.deliveries(subscriptionIDs: [hook.id], status: .cancelled, limit: 10).map(\.id) == [claimed[0].id])
        }
    }

    /// A worker stopped while its messages are on the wire records their replies before it ends: once, stopping
    /// cancelled that write, the deliveries stayed leased and went out a second time when the lease ran out.
    @Test func aStoppedWorkerRecordsWhatItSent() async throws {
        try await withNotifyWorld(worker: false) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let hook = try await world.addWebhook("wecom", url: receiver.url("wecom", "stopping"), events: ["booking.confirmed"], token: manager)
            receiver.script("stopping", [.slow(milliseconds: 1_500)])
            _ = try await world.bookMany(1, first: 131, date: try await world.bookableDay(), token: try await world.citizen("notify-10"))
            let running = Task { [worker = try world.deliveryWorker()] in try await worker.run() }
            _ = try await receiver.wait { !$0.isEmpty }  // received; the reply is on its way
            running.cancel()
            _ = try? await running.value
            let store = world.services.storage.notifications
            #expect(try await store.deliveries(subscriptionIDs: [hook.id], status: .delivered, limit: 10).count == 1)
            #expect(try await store.deliveries(subscriptionIDs: [hook.id], status: .sending, limit: 10).isEmpty)
        }
    }
}

/// Polls `condition` until it holds (or fails the test when time is up).
func eventually(seconds: Double = 10, _ condition: () async throws -> Bool) async throws {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    #expect(try await condition(), "condition did not hold within \(seconds) s")
}

extension Data {
    /// The key file holds base64 text.
    func base64Decoded() throws -> Data {
        let text = String(decoding: self, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let data = Data(base64Encoded: text) else { throw CocoaError(.coderReadCorrupt) }
        return data
    }
}

/// Who may register what, and the address rules at registration.
@Suite struct WebhookRegistrationTests {
    @Test func privateAddressesAreRefusedWhenNotAllowed() async throws {
        try await withBookingWorld { world in
            let manager = try await world.staff("nanjing-manager")
            for url in ["https://127.0.0.1/hook", "https://2130706433/hook", "https://[::ffff:127.0.0.1]/hook", "https://169.254.169.254/latest",
                        "https://localhost/hook", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "https://10.0.0.1/hook"] {
                let response = try await world.request(.post, "/v1/staff/webhooks", token: manager,
                                                       json: #"{"channel":"wecom","url":"\#(url)","events":["booking.confirmed"]}"#)
                #expect(response.status == .unprocessableContent && response.problemCode == "invalid_webhook_url", "\(url)")
            }
            let app = try await world.request(.put, "/v1/client-webhook", headers: [HTTPField.Name("X-Client-Key")!: world.clientKey],
                                              json: #"{"url":"https://192.168.1.10/hook","events":["booking.confirmed"]}"#)
            #expect(app.status == .unprocessableContent && app.problemCode == "invalid_webhook_url")
            #expect(try await world.services.notifications.staffWebhooks(by: try #require(world.services.identity.staff(token: manager))).isEmpty)
        }
    }

    @Test func staffActOnlyInTheirDivision() async throws {
        try await withNotifyWorld(worker: false) { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let clerk = try await world.staff("nanjing-clerk")
            let wuxi = try await world.staff("wuxi-manager")
            let body = #"{"channel":"wecom","url":"\#(receiver.url("wecom", "a"))","events":["booking.confirmed"]}"#
            #expect(try await world.request(.post, "/v1/staff/webhooks", token: clerk, json: body).status == .forbidden)
            // Wuxi's manager cannot subscribe to Nanjing, nor to one of its offices.
            let other = try await world.request(.post, "/v1/staff/webhooks", token: wuxi,
                                                json: #"{"channel":"wecom","url":"\#(receiver.url("wecom", "a"))","events":["booking.confirmed"],"division":"3201"}"#)
            #expect(other.status == .forbidden)
            let office = try await world.request(.post, "/v1/staff/webhooks", token: wuxi,
                                                 json: #"{"channel":"wecom","url":"\#(receiver.url("wecom", "a"))","events":["booking.confirmed"],"office_id":9}"#)
            #expect(office.status == .notFound)
            let bad = try await world.request(.post, "/v1/staff/webhooks", token: manager,
                                              json: #"{"channel":"wecom","url":"\#(receiver.url("wecom", "a"))","events":["booking.exploded"]}"#)
            #expect(bad.status == .badRequest)
            let extra = try await world.request(.post, "/v1/staff/webhooks", token: manager,
                                                json: #"{"channel":"wecom","url":"\#(receiver.url("wecom", "a"))","events":["booking.confirmed"],"colour":"red"}"#)
            #expect(extra.status == .badRequest)

            let made = try await world.addWebhook("wecom", url: receiver.url("wecom", "a"), events: ["booking.confirmed"], token: manager)
            struct List: Decodable { let items: [WebhookBody] }
            #expect(try await world.request(.get, "/v1/staff/webhooks", token: wuxi).decode(List.self).items.isEmpty)
            #expect(try await world.request(.get, "/v1/staff/webhooks", token: clerk).decode(List.self).items.map(\.id) == [made.id])
            #expect(try await world.request(.get, "/v1/staff/deliveries?webhook_id=\(made.id)", token: wuxi).status == .notFound)
            #expect(try await world.request(.delete, "/v1/staff/webhooks/\(made.id)", token: wuxi).status == .notFound)
            #expect(try await world.request(.delete, "/v1/staff/webhooks/\(made.id)", token: manager).status == .noContent)
            #expect(try await world.request(.delete, "/v1/staff/webhooks/\(made.id)", token: manager).status == .notFound)
            #expect(try await world.request(.get, "/v1/staff/webhooks", token: manager).decode(List.self).items.isEmpty)
            let actions = try await world.services.storage.audit.auditTrail().map(\.action)
            #expect(actions.filter { $0.hasPrefix("webhook.") } == ["webhook.create", "webhook.delete"])
        }
    }

    @Test func anAppHasOneWebhookAndSeesItsSecretOnce() async throws {
        try await withNotifyWorld(worker: false) { world, receiver in
            let key: HTTPFields = [HTTPField.Name("X-Client-Key")!: world.clientKey]
            #expect(try await world.request(.get, "/v1/client-webhook", headers: key).status == .notFound)
            let first = try await world.setClientWebhook(url: receiver.url("hook", "app", query: "?token=abcdefabcdefabcdef"), events: ["booking.confirmed"])
            let second = try await world.setClientWebhook(url: receiver.url("hook", "app2"), events: ["booking.confirmed", "booking.reminder"])
            #expect(first.secret?.hasPrefix("whsec_") == true && second.secret != first.secret)
            let shown = try await world.request(.get, "/v1/client-webhook", headers: key)
            let body: WebhookBody = try shown.decode()
            #expect(body.id == second.id && body.secret == nil && body.events == ["booking.confirmed", "booking.reminder"])
            // Office events are not an app's to have.
            let office = try await world.request(.put, "/v1/client-webhook", headers: key,
                                                 json: #"{"url":"\#(receiver.url("hook", "app"))","events":["office.closed"]}"#)
            #expect(office.status == .badRequest)
            #expect(try await world.request(.put, "/v1/client-webhook", json: #"{"url":"\#(receiver.url("hook", "app"))","events":["booking.confirmed"]}"#).status == .unauthorized)
            #expect(try await world.request(.delete, "/v1/client-webhook", headers: key).status == .noContent)
            #expect(try await world.request(.get, "/v1/client-webhook", headers: key).status == .notFound)
        }
    }
}
