import Foundation
import MinzhengCore
import Testing

/// SSRF: webhook URLs must not reach the service's own network, however the address is written.
@Suite struct WebhookAddressTests {
    /// A resolver for the tests: names the public DNS would answer, and names planted to point inside.
    static func resolve(_ host: String) -> [IPAddress]? {
        switch host {
        case "qyapi.weixin.qq.com", "oapi.dingtalk.com", "open.feishu.cn", "hooks.example.com": [IPAddress("203.119.205.1")!]
        case "rebind.example.com": [IPAddress("10.1.2.3")!]
        case "mixed.example.com": [IPAddress("203.119.205.1")!, IPAddress("127.0.0.1")!]
        case "v6-inside.example.com": [IPAddress("fd00::1")!]
        case "metadata.example.com": [IPAddress("169.254.169.254")!]
        default: nil
        }
    }

    static let refused = [
        "https://127.0.0.1/hook",                       // loopback
        "https://2130706433/hook",                      // decimal 127.0.0.1
        "https://0177.0.0.1/hook",                      // octal
        "https://0x7f.0.0.1/hook",                      // hex part
        "https://0x7f000001/hook",                      // one hex number
        "https://127.1/hook",                           // short form
        "https://0/hook",                               // 0.0.0.0
        "https://[::1]/hook",                           // IPv6 loopback
        "https://[::ffff:127.0.0.1]/hook",              // IPv4-mapped IPv6
        "https://[::ffff:7f00:1]/hook",                 // the same, in hex
        "https://[0:0:0:0:0:ffff:a9fe:a9fe]/latest",    // mapped metadata address
        "https://[fe80::1%25eth0]/hook",                // link-local with a zone
        "https://[fd00:ec2::254]/latest",               // unique local (AWS metadata over IPv6)
        "https://[64:ff9b::a00:1]/hook",                // NAT64 of 10.0.0.1
        "https://[::ffff:0:a9fe:a9fe]/latest",          // IPv4-translated (SIIT) metadata address
        "https://[64:ff9b:1::808:808]/hook",            // local-use NAT64 (64:ff9b:1::/48), whatever it embeds
        "https://localhost/hook",
        "https://LOCALHOST./hook",                      // case and trailing dot
        "https://api.localhost/hook",
        "https://169.254.169.254/latest/meta-data",     // cloud metadata
        "https://metadata.google.internal/computeMetadata/v1",
        "https://10.0.0.8/hook",
        "https://172.16.5.4/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",                      // shared address space
        "https://rebind.example.com/hook",              // DNS answers a private address
        "https://mixed.example.com/hook",               // one of its addresses is loopback
        "https://v6-inside.example.com/hook",
        "https://metadata.example.com/hook",
        "https://unknown.example.com/hook",             // does not resolve
        "http://hooks.example.com/hook",                // not https
        "https://hooks.example.com@127.0.0.1/hook",     // user info hiding the real host
        "https://127.0.0.1%2F@hooks.example.com/hook",  // percent-encoding in the authority
        "ftp://hooks.example.com/hook",
        "https://hooks.example.com:0/hook",             // invalid port
        "hooks.example.com/hook",                       // not absolute
    ]

    @Test(arguments: refused)
    func privateAndMalformedAddressesAreRefused(_ url: String) {
        #expect(throws: DomainError.self) { try WebhookAddressPolicy.check(url, allowPrivate: false, resolve: Self.resolve) }
    }

    @Test func publicRobotsAreAccepted() throws {
        for url in ["https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", "https://oapi.dingtalk.com/robot/send?access_token=abc",
                    "https://open.feishu.cn/open-apis/bot/v2/hook/0123456789abcdef", "https://hooks.example.com:8443/minzheng",
                    "https://203.119.205.1/hook", "https://[2400:3200::1]/hook"] {
            let target = try WebhookAddressPolicy.check(url, allowPrivate: false, resolve: Self.resolve)
            #expect(target.url == url)
        }
    }

    @Test func allowPrivateAdmitsLocalReceiversForTesting() throws {
        let target = try WebhookAddressPolicy.check("http://127.0.0.1:8089/wecom", allowPrivate: true, resolve: { _ in nil })
        #expect(target.host == "127.0.0.1" && target.port == 8089 && target.scheme == "http")
        // Still no user info or other schemes.
        #expect(throws: DomainError.self) { try WebhookAddressPolicy.check("ftp://127.0.0.1/x", allowPrivate: true, resolve: { _ in nil }) }
    }

    @Test func numericFormsMeanWhatTheResolverWouldMakeOfThem() {
        #expect(IPAddress.numericIPv4("2130706433") == IPAddress("127.0.0.1"))
        #expect(IPAddress.numericIPv4("0x7f.1") == IPAddress("127.0.0.1"))
        #expect(IPAddress.numericIPv4("0251.0376.0251.0376") == IPAddress("169.254.169.254"))
        #expect(IPAddress.numericIPv4("10.1") == IPAddress("10.0.0.1"))
        #expect(IPAddress.numericIPv4("256.1.1.1") == nil)
        #expect(IPAddress.numericIPv4("qyapi") == nil)
        #expect(IPAddress("203.119.205.1")?.isPublic == true)
        #expect(IPAddress("::ffff:8.8.8.8")?.isPublic == true)
        #expect(IPAddress("::ffff:0:808:808")?.isPublic == true)  // SIIT of 8.8.8.8
        #expect(IPAddress("64:ff9b::808:808")?.isPublic == true)  // NAT64 of 8.8.8.8
    }

    @Test func urlsAreShownWithoutTheirCredential() {
        #expect(WebhookURL.redacted("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")
            == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***")
        #expect(WebhookURL.redacted("https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1")
            == "https://oapi.dingtalk.com/robot/send?access_token=***&timestamp=***")
        #expect(WebhookURL.redacted("https://open.feishu.cn/open-apis/bot/v2/hook/a1b2c3d4-e5f6-7890-abcd-ef1234567890")
            == "https://open.feishu.cn/open-apis/bot/v2/hook/***")
    }

    @Test func shortTokensAndBareQueryValuesAreHiddenToo() {
        // A token need not be long or follow a name: these once came back whole in responses and audit rows.
        #expect(WebhookURL.redacted("https://hooks.example.com/notify?Zx81kQ2pLm4s9TtY") == "https://hooks.example.com/notify?***")
        #expect(WebhookURL.redacted("https://api.example.com/hooks/a1B2c3D4e5F6g7H/x") == "https://api.example.com/hooks/***/x")
        #expect(WebhookURL.redacted("https://api.example.com/hooks/s3cr3tt0k3n") == "https://api.example.com/hooks/***")
        #expect(WebhookURL.redacted("https://api.example.com/in/12345?Key9X=1&sign=abc") == "https://api.example.com/in/***?***&sign=***")
        #expect(WebhookURL.redacted("https://user:pass@api.example.com/") == "https://***@api.example.com/")
    }
}

@Suite struct DeliveryPolicyTests {
    @Test func retriesFollowTheScheduleThenStop() {
        let schedule = RetrySchedule()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let waits = (1...7).map { schedule.nextAttempt(after: $0, at: start, retryAfter: nil)?.timeIntervalSince(start) }
        #expect(waits == [5, 30, 300, 1800, 7200, 21_600, nil])
        // A receiver's own wait can only lengthen ours.
        #expect(schedule.nextAttempt(after: 1, at: start, retryAfter: 600)?.timeIntervalSince(start) == 600)
        #expect(schedule.nextAttempt(after: 3, at: start, retryAfter: 1)?.timeIntervalSince(start) == 300)
    }

    @Test func theSendLogNeverLetsAWindowHoldMoreThanTheLimit() {
        var log = SendLog(limits: SendRate.limits(for: .wecom))
        var clock = Date(timeIntervalSince1970: 1_800_000_000)
        var sent: [Date] = []
        // Try to send every 100 ms for five minutes; send only when allowed.
        for _ in 0..<3000 {
            if log.nextAllowed(at: clock) <= clock {
                log.sent()
                log.replied(at: clock)
                sent.append(clock)
            }
            clock.addTimeInterval(0.1)
        }
        for (index, time) in sent.enumerated() {
            let window = sent[index...].prefix { $0 < time.addingTimeInterval(60) }
            #expect(window.count <= 20)
        }
        #expect(sent.count >= 95)  // 20 a minute over five minutes, barely slower
        var feishu = SendLog(limits: SendRate.limits(for: .feishu))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<5 { feishu.sent() }
        // Five in flight: wait for their replies.
        #expect(feishu.nextAllowed(at: now) > now)
        for _ in 0..<5 { feishu.replied(at: now) }
        #expect(feishu.nextAllowed(at: now) == now.addingTimeInterval(1.1))  // one second from the replies, and a guard
        #expect(feishu.nextAllowed(at: now.addingTimeInterval(1.2)) == now.addingTimeInterval(1.2))
    }

    @Test func remindersAreDueTheDayBeforeAtTheConfiguredTime() {
        let policy = NotifyPolicy(reminderMinuteOfDay: 18 * 60 + 30)
        let date = LocalDate(iso: "2026-12-10")!
        let due = policy.reminderDue(for: date, now: Date(timeIntervalSince1970: 0))
        #expect(due == LocalDate(iso: "2026-12-09")!.instant(hour: 18, minute: 30))
        // Booked after that moment: due at once.
        let late = LocalDate(iso: "2026-12-09")!.instant(hour: 20)
        #expect(policy.reminderDue(for: date, now: late) == late)
        #expect(policy.isNearlyFull(booked: 27, capacity: 30) && !policy.isNearlyFull(booked: 26, capacity: 30))
        #expect(!policy.isNearlyFull(booked: 0, capacity: 0))
    }

    @Test func subscriptionsGetTheEventsOfTheirScope() {
        let nanjing = DivisionCode("3201")!, xuanwu = DivisionCode("320102")!, wuxi = DivisionCode("320205")!
        let division = WebhookSubscription(id: 1, channel: .wecom, redactedURL: "", events: [.bookingConfirmed, .officeClosed],
                                           owner: .staff(division: nanjing, officeID: nil), createdAt: Date())
        #expect(division.wants(.bookingConfirmed, officeID: 9, clientID: 1, eventDivision: xuanwu))
        #expect(!division.wants(.bookingConfirmed, officeID: 72, clientID: 1, eventDivision: wuxi))
        #expect(!division.wants(.bookingCancelled, officeID: 9, clientID: 1, eventDivision: xuanwu))
        let office = WebhookSubscription(id: 2, channel: .feishu, redactedURL: "", events: [.officeClosed],
                                         owner: .staff(division: xuanwu, officeID: 9), createdAt: Date())
        #expect(office.wants(.officeClosed, officeID: 9, clientID: nil, eventDivision: xuanwu))
        #expect(!office.wants(.officeClosed, officeID: 14, clientID: nil, eventDivision: xuanwu))
        let app = WebhookSubscription(id: 3, channel: .webhook, redactedURL: "", events: [.bookingConfirmed, .officeClosed],
                                      owner: .client(5), createdAt: Date())
        #expect(app.wants(.bookingConfirmed, officeID: 9, clientID: 5, eventDivision: xuanwu))
        #expect(!app.wants(.bookingConfirmed, officeID: 9, clientID: 6, eventDivision: xuanwu))
        #expect(!app.wants(.officeClosed, officeID: 9, clientID: nil, eventDivision: xuanwu))  // apps get their own citizens' events only

        // Applications name a division, not an office: the division's groups hear of them, an office's never; the
        // citizen's app hears of each step, not of the overdue warnings meant for staff.
        let applications: Set<EventType> = [.applicationUpdated, .applicationOverdue]
        let nanjingGroup = WebhookSubscription(id: 4, channel: .wecom, redactedURL: "", events: applications,
                                               owner: .staff(division: nanjing, officeID: nil), createdAt: Date())
        #expect(nanjingGroup.wants(.applicationOverdue, officeID: nil, clientID: 5, eventDivision: xuanwu))
        #expect(!nanjingGroup.wants(.applicationUpdated, officeID: nil, clientID: 5, eventDivision: wuxi))
        let officeGroup = WebhookSubscription(id: 5, channel: .wecom, redactedURL: "", events: applications,
                                              owner: .staff(division: xuanwu, officeID: 9), createdAt: Date())
        #expect(!officeGroup.wants(.applicationUpdated, officeID: nil, clientID: 5, eventDivision: xuanwu))
        let appOfApplicants = WebhookSubscription(id: 6, channel: .webhook, redactedURL: "", events: applications, owner: .client(5),
                                                  createdAt: Date())
        #expect(appOfApplicants.wants(.applicationUpdated, officeID: nil, clientID: 5, eventDivision: xuanwu))
        #expect(!appOfApplicants.wants(.applicationUpdated, officeID: nil, clientID: 6, eventDivision: xuanwu))
        #expect(!appOfApplicants.wants(.applicationOverdue, officeID: nil, clientID: 5, eventDivision: xuanwu))
    }
}

@Suite struct ProxyNetworkTests {
    @Test(arguments: [("127.0.0.1", true), ("10.1.2.3", true), ("172.16.0.1", true), ("172.31.255.255", true), ("192.168.0.9", true),
                      ("::1", true), ("::ffff:10.0.0.1", true), ("fd00::1", true),
                      ("172.32.0.1", false), ("100.64.0.1", false), ("169.254.169.254", false), ("8.8.8.8", false),
                      ("::ffff:8.8.8.8", false), ("2001:db8::1", false), ("fe80::1", false)])
    func onlyLoopbackAndPrivateNetworksAreTrustedAsProxies(address: String, trusted: Bool) throws {
        #expect(try #require(IPAddress(address)).isProxyNetwork == trusted)
    }
}
