import Foundation
import MinzhengCore
@testable import MinzhengNotify
import MinzhengTesting
import Testing

/// The libcurl transport against real HTTP receivers on loopback.
@Suite struct CurlTransportTests {
    static func transport(totalTimeout: Int = 5_000, allowPrivate: Bool = true, protocols: String? = nil) -> CurlTransport {
        var options = CurlTransport.Options()
        options.totalTimeoutMilliseconds = totalTimeout
        options.allowPrivate = allowPrivate
        options.protocols = protocols
        return CurlTransport(options: options)
    }

    @Test func manyRequestsInFlightAnswerInOrder() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        let transport = Self.transport()
        defer { transport.shutdown() }
        // Every fifth one is slow, so replies complete out of order.
        for n in stride(from: 0, to: 200, by: 5) { receiver.script("r\(n)", [.slow(milliseconds: 100)]) }
        receiver.script("r7", [.code(93000)])
        let requests = (0..<200).map { n in
            OutgoingRequest(url: receiver.url("wecom", "r\(n)"), headers: ["Content-Type: application/json"], body: Data(#"{"n":\#(n)}"#.utf8))
        }
        let replies = await transport.send(requests)
        #expect(replies.count == 200)
        #expect(replies.allSatisfy { $0.status == 200 && $0.error == nil })
        #expect(ReplyClassifier.code(.wecom, replies[7].body) == 93000)
        #expect(ReplyClassifier.code(.wecom, replies[8].body) == 0)
        #expect(receiver.receipts.count == 200)
        #expect(Set(receiver.receipts.map { String(decoding: $0.body, as: UTF8.self) }).count == 200)
    }

    @Test func aConnectionToAPrivateAddressIsAbortedBeforeSending() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        // http allowed, private addresses not: the check at connect time is what stops it.
        let transport = Self.transport(allowPrivate: false, protocols: "http,https")
        defer { transport.shutdown() }
        let replies = await transport.send([OutgoingRequest(url: receiver.url("wecom", "inside"), headers: [], body: Data("{}".utf8))])
        #expect(replies.first?.refusedAddress == true)
        #expect(replies.first?.status == nil)
        try await Task.sleep(for: .milliseconds(100))
        #expect(receiver.receipts.isEmpty)
    }

    @Test func httpIsRefusedUnlessPrivateAddressesAreAllowed() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        let transport = Self.transport(allowPrivate: false)
        defer { transport.shutdown() }
        let replies = await transport.send([OutgoingRequest(url: receiver.url("wecom", "plain"), headers: [], body: Data("{}".utf8))])
        #expect(replies.first?.error != nil)
        #expect(receiver.receipts.isEmpty)
    }

    @Test func droppedConnectionsAndTimeoutsAreReportedApart() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        let dropper = try DroppingListener()
        defer { dropper.stop() }
        let transport = Self.transport(totalTimeout: 300)
        defer { transport.shutdown() }
        receiver.script("sleepy", [.slow(milliseconds: 1_000)])
        let replies = await transport.send([
            OutgoingRequest(url: "http://127.0.0.1:\(dropper.port)/hook", headers: [], body: Data("{}".utf8)),
            OutgoingRequest(url: receiver.url("hook", "sleepy"), headers: [], body: Data("{}".utf8)),
        ])
        #expect(replies[0].error != nil && replies[0].timedOutAfterSending == false)
        #expect(replies[1].error != nil && replies[1].timedOutAfterSending == true)
        #expect(replies[1].milliseconds >= 250 && replies[1].milliseconds < 1_000)
    }

    /// All answered, two at a time. libcurl keeps the same limit itself, so this checks the behaviour, not which
    /// of the two queued the requests; the time limit turns a request stranded in the queue into a failure.
    @Test(.timeLimit(.minutes(1))) func requestsBeyondTheConnectionLimitWaitTheirTurn() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        var options = CurlTransport.Options()
        options.allowPrivate = true
        options.maxConnectionsPerHost = 2
        let transport = CurlTransport(options: options)
        defer { transport.shutdown() }
        for n in 0..<20 { receiver.script("w\(n)", [.slow(milliseconds: 50)]) }
        let clock = ContinuousClock(), started = clock.now
        let replies = await transport.send((0..<20).map { n in
            OutgoingRequest(url: receiver.url("wecom", "w\(n)"), headers: [], body: Data(#"{"n":\#(n)}"#.utf8))
        })
        // Two at a time, 50 ms each: ten rounds. All twenty at once would take one.
        #expect(clock.now - started >= .milliseconds(450))
        #expect(replies.count == 20 && replies.allSatisfy { $0.status == 200 })
        #expect(Set(receiver.receipts.map { String(decoding: $0.body, as: UTF8.self) }).count == 20)
    }

    @Test func timeSpentWaitingForAConnectionCountsAgainstTheTotalTimeout() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        var options = CurlTransport.Options()
        options.allowPrivate = true
        options.maxConnectionsPerHost = 1
        options.totalTimeoutMilliseconds = 300
        let transport = CurlTransport(options: options)
        defer { transport.shutdown() }
        receiver.script("first", [.slow(milliseconds: 1_000)])
        receiver.script("second", [.slow(milliseconds: 1_000)])
        let replies = await transport.send(["first", "second"].map { OutgoingRequest(url: receiver.url("hook", $0), headers: [], body: Data("{}".utf8)) })
        // The second waits for the first's 300 ms and then has nothing left, rather than 300 ms more.
        #expect(replies.allSatisfy { $0.error != nil })
        #expect(replies[1].milliseconds < 550)
    }

    @Test func requestsShareConnectionsByHostAsWritten() {
        #expect(CurlTransport.host(of: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k") == "qyapi.weixin.qq.com")
        #expect(CurlTransport.host(of: "http://user@127.0.0.1:8080?x=1") == "user@127.0.0.1:8080")
        #expect(CurlTransport.host(of: "https://open.feishu.cn") == "open.feishu.cn")
        #expect(CurlTransport.host(of: "not a url") == "not a url")
    }

    @Test func theWaitingQueueKeepsOrderAndDoesNotGrowForEver() {
        var queue = FIFO<Int>()
        var popped: [Int] = []
        var largest = 0
        // Two pops for every three pushes: the queue never empties, so only compaction bounds its storage.
        for n in 0..<5_000 {
            queue.push(n)
            if n % 3 != 0, let first = queue.pop() { popped.append(first) }
            largest = max(largest, queue.storedCount)
        }
        #expect(largest < 2 * 1_024 + 5_000 / 3 + 2)
        while let rest = queue.pop() { popped.append(rest) }
        #expect(popped == Array(0..<5_000))
        #expect(queue.isEmpty && queue.storedCount == 0)
    }

    @Test func retryAfterIsRead() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        let transport = Self.transport()
        defer { transport.shutdown() }
        receiver.script("busy", [.code(0, http: 429, retryAfter: "7")])
        let reply = try #require(await transport.send([OutgoingRequest(url: receiver.url("hook", "busy"), headers: [], body: Data())]).first)
        #expect(reply.status == 429 && reply.retryAfter == 7)
        #expect(ReplyClassifier.classify(.webhook, status: 429, body: reply.body, retryAfter: reply.retryAfter) == .retry(after: 7, reason: "HTTP 429"))
    }
}

/// What each channel's message looks like, checked by receivers that verify signatures independently.
@Suite struct ChannelMessageTests {
    static let booking = #"{"booking_id":"b1","code":"K7P2QD","office_id":9,"date":"2026-12-10","period":"09:00-10:00","service":"marriage","status":"confirmed","applicants":[{"name":"张*","id_number":"3201**********123X","phone":"138****8000"},{"name":"李*","id_number":"3201**********4421","phone":"139****9000"}]}"#

    @Test func robotsGetChineseTextWithMaskedNamesAndNoPhones() {
        let text = EventText.text(.bookingConfirmed, data: Self.booking, officeName: "南京市玄武区婚姻登记处")
        #expect(text.contains("预约成功") && text.contains("南京市玄武区婚姻登记处") && text.contains("2026-12-10 09:00-10:00"))
        #expect(text.contains("张*、李*") && text.contains("K7P2QD"))
        #expect(!text.contains("138") && !text.contains("3201**"))
    }

    @Test func longTextIsCutWithinTheLimitOnACharacterBoundary() throws {
        let office = String(repeating: "婚姻登记处", count: 400)  // 6,000 bytes of Chinese
        let request = ChannelMessage.request(channel: .wecom, url: "https://example.invalid/wecom", secret: nil, deliveryID: "msg_1",
                                             type: .bookingConfirmed, data: Self.booking, occurredAt: Date(), officeName: office, now: Date())
        let object = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: Any])
        let content = try #require((object["text"] as? [String: Any])?["content"] as? String)
        #expect(content.utf8.count <= 2048 && content.utf8.count > 2000)
        #expect(content.hasSuffix("…"))
    }

    @Test func everyChannelIsSignedAsItsReceiverChecks() async throws {
        let receiver = try await RobotReceiver.start()
        defer { receiver.stop() }
        let transport = CurlTransportTests.transport()
        defer { transport.shutdown() }
        receiver.setSecret("ding", "SECa1b2c3d4e5f6")
        receiver.setSecret("fei", "feishu-secret-123")
        receiver.setSecret("app", "whsec_" + Data(repeating: 7, count: 32).base64EncodedString())
        let now = Date()
        let requests = [
            ChannelMessage.request(channel: .dingtalk, url: receiver.url("dingtalk", "ding", query: "?access_token=t0k"), secret: "SECa1b2c3d4e5f6",
                                   deliveryID: "msg_a", type: .officeClosed,
                                   data: #"{"office_id":9,"date":"2026-12-10","reason":"系统维护","cancelled_bookings":3}"#, occurredAt: now,
                                   officeName: "南京市玄武区婚姻登记处", now: now),
            ChannelMessage.request(channel: .feishu, url: receiver.url("feishu", "fei"), secret: "feishu-secret-123", deliveryID: "msg_b",
                                   type: .bookingCancelled, data: Self.booking, occurredAt: now, officeName: nil, now: now),
            ChannelMessage.request(channel: .webhook, url: receiver.url("hook", "app"), secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString(),
                                   deliveryID: "msg_c", type: .bookingConfirmed, data: Self.booking, occurredAt: now, officeName: nil, now: now),
            // A wrong secret is caught by the receiver, as the platform would.
            ChannelMessage.request(channel: .feishu, url: receiver.url("feishu", "fei"), secret: "not-the-secret", deliveryID: "msg_d",
                                   type: .bookingCancelled, data: Self.booking, occurredAt: now, officeName: nil, now: now),
        ]
        let replies = await transport.send(requests)
        #expect(replies.map { $0.status } == [200, 200, 204, 200])
        #expect(receiver.receipts("ding").first?.signatureValid == true)
        #expect(receiver.receipts("ding").first?.text.contains("停止办理") == true)
        // The two Feishu requests are in flight together, so they may arrive in either order; the replies (in request
        // order) say which one the receiver refused.
        let feishu = receiver.receipts("fei").map(\.signatureValid)
        #expect(feishu.count == 2 && feishu.contains(true) && feishu.contains(false))
        #expect(ReplyClassifier.code(.feishu, replies[3].body) == 19021)
        let app = try #require(receiver.receipts("app").first)
        #expect(app.signatureValid == true && app.webhookID == "msg_c")
        let event = try #require(try JSONSerialization.jsonObject(with: app.body) as? [String: Any])
        #expect(event["type"] as? String == "booking.confirmed")
        #expect((event["data"] as? [String: Any])?["code"] as? String == "K7P2QD")
    }
}

@Suite struct RetryAfterTests {
    @Test func wholeSecondsOrAnHTTPDateUpToADayAreTaken() {
        #expect(RetryAfter.seconds("120") == 120)
        #expect(RetryAfter.seconds("999999999") == 86_400)
        // 2026-10-21T07:27:00Z is 1_792_567_620 s after 1970: every date below would be a minute ahead if it were one.
        let now = Date(timeIntervalSince1970: 1_792_567_620)
        for hostile in ["nan", "inf", "-1", "1e400", "1.5", "", "Wed, 21 Oct 2026 07:28", "Wed, 31 Feb 2026 07:28:00 GMT",
                        "Wed, 21 Oct 2026 07:28:00 CET", "Wednesday, 21-Oct-26 07:28:00 GMT", "Xyz, 21 Oct 2026 07:28:00 GMT",
                        "Wed, +1 Oct 2026 07:28:00 GMT", "Wed, 21 Oct 2026 +7:28:00 GMT", "Wed, 21 Oct 2026 07:28:00 GMT "] {
            #expect(RetryAfter.seconds(hostile, now: now) == nil, "\(hostile)")
        }
        #expect(RetryAfter.seconds("Wed, 21 Oct 2026 07:28:00 GMT", now: now) == 60)
        // Gone by: ignored, so the channel's own wait applies rather than none.
        #expect(RetryAfter.seconds("Wed, 21 Oct 2026 07:20:00 GMT", now: now) == nil)
        #expect(RetryAfter.seconds("Thu, 21 Oct 2027 07:28:00 GMT", now: now) == 86_400)
    }
}
