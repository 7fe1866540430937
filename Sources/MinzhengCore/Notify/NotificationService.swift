import Foundation

/// Registering receivers and looking after deliveries: staff webhooks for office groups, an app's own
/// signed webhook, and the delivery log. Sending is the delivery worker's job (`MinzhengNotify`).
public struct NotificationService: Sendable {
    let store: any NotificationStore
    let offices: any OfficeDirectory
    let cipher: PersonalDataCipher
    /// `MINZHENG_NOTIFY_ALLOW_PRIVATE=1`: http and private addresses allowed (local testing only).
    let allowPrivate: Bool
    /// Resolves a host name (off the concurrency pool: the system resolver blocks).
    let resolve: @Sendable (String) async -> [IPAddress]?
    let now: @Sendable () -> Date

    public init(store: any NotificationStore, offices: any OfficeDirectory, cipher: PersonalDataCipher, allowPrivate: Bool,
                resolve: @escaping @Sendable (String) async -> [IPAddress]?, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.offices = offices
        self.cipher = cipher
        self.allowPrivate = allowPrivate
        self.resolve = resolve
        self.now = now
    }

    public static let maxSecretLength = 256

    // MARK: Staff

    /// Registers an office group's robot (or a signed webhook) for the events of the staff member's division,
    /// a division below it, or one office in it. Managers and admins. A `webhook` channel without a secret
    /// gets one made, answered here once.
    public func registerStaffWebhook(channel: String, url: String, secret: String?, events: [String], division: String?, officeID: Int64?,
                                     by staff: StaffMember) async throws -> (subscription: WebhookSubscription, secret: String?) {
        guard staff.role >= .manager else {
            throw DomainError(.forbidden, code: "forbidden", title: "无权执行此操作", detail: "registering webhooks needs the manager role")
        }
        let channel = try Self.channel(channel)
        let events = try Self.events(events, allowed: Set(EventType.allCases))
        let owner: WebhookSubscription.Owner
        switch (division, officeID) {
        case (.some, .some):
            throw DomainError.invalidParameter("division", "give either division or office_id, not both")
        case (nil, let office?):
            guard let registry = offices.registry(office), staff.mayManage(registry.division) else {
                throw DomainError.notFound("marriage registry \(office)")
            }
            // Applications belong to a division, not to a registry office: an office's group would never hear of them.
            if let event = events.first(where: \.isAboutAnApplication) {
                throw DomainError.invalidParameter("events", "\(event.rawValue) goes to a division's groups (give division, not office_id)")
            }
            owner = .staff(division: registry.division, officeID: office)
        case (let text, nil):
            let code = try text.map { text throws(DomainError) -> DivisionCode in
                guard let code = DivisionCode(text) else { throw DomainError.invalidParameter("division", "is not a division code") }
                return code
            } ?? staff.division
            guard staff.mayManage(code) else {
                throw DomainError(.forbidden, code: "forbidden", title: "无权执行此操作", detail: "division \(code) is outside yours")
            }
            owner = .staff(division: code, officeID: nil)
        }
        var secret = try secret.map(Self.secret)
        var made: String?
        if channel == .webhook, secret == nil {
            made = Self.makeSecret()
            secret = made
        }
        let target = try await checkedTarget(url)
        let redacted = WebhookURL.redacted(target.url)
        let at = now()
        let subscription = try await store.addSubscription(
            NewSubscription(channel: channel, sealedURL: try cipher.seal(target.url), redactedURL: redacted,
                            sealedSecret: try secret.map(cipher.seal), events: events, owner: owner, createdAt: at),
            audit: AuditRecord(staffID: staff.id, action: "webhook.create", target: "webhook", at: at,
                               after: "\(channel.rawValue) \(redacted) \(events.map(\.rawValue).sorted().joined(separator: ","))"))
        return (subscription, made)
    }

    /// The staff webhooks of the member's division and below.
    public func staffWebhooks(by staff: StaffMember) async throws -> [WebhookSubscription] {
        try await shownSubscriptions().filter { $0.staffDivision.map(staff.mayManage) ?? false }
    }

    /// Subscriptions as people see them: their stored URLs redacted again, since a row written under older, laxer
    /// rules may still show a short token.
    private func shownSubscriptions() async throws -> [WebhookSubscription] {
        try await store.subscriptions().map {
            WebhookSubscription(id: $0.id, channel: $0.channel, redactedURL: WebhookURL.redacted($0.redactedURL), events: $0.events,
                                owner: $0.owner, createdAt: $0.createdAt)
        }
    }

    public func removeStaffWebhook(id: Int64, by staff: StaffMember) async throws {
        guard staff.role >= .manager else {
            throw DomainError(.forbidden, code: "forbidden", title: "无权执行此操作", detail: "removing webhooks needs the manager role")
        }
        let visible = try await staffWebhooks(by: staff)
        guard let subscription = visible.first(where: { $0.id == id }),
            try await store.removeSubscription(
                id: id, audit: AuditRecord(staffID: staff.id, action: "webhook.delete", target: "webhook \(id)", at: now(),
                                           before: "\(subscription.channel.rawValue) \(subscription.redactedURL)"))
        else { throw DomainError.notFound("webhook \(id)") }
    }

    /// Deliveries to the member's webhooks (all of them, or one), newest first.
    public func deliveries(status: String?, webhookID: Int64?, limit: Int, by staff: StaffMember) async throws -> [DeliveryRecord] {
        let status = try status.map { text throws(DomainError) -> DeliveryStatus in
            guard let status = DeliveryStatus(rawValue: text) else {
                throw DomainError.invalidParameter("status", "must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return status
        }
        guard (1...100).contains(limit) else { throw DomainError.invalidParameter("limit", "must be 1 to 100") }
        var ids = try await staffWebhooks(by: staff).map(\.id)
        if let webhookID {
            guard ids.contains(webhookID) else { throw DomainError.notFound("webhook \(webhookID)") }
            ids = [webhookID]
        }
        return try await store.deliveries(subscriptionIDs: ids, status: status, limit: limit)
    }

    /// Sends a dead delivery again (after its receiver was fixed). Managers and admins; audited.
    public func retryDelivery(id: String, by staff: StaffMember) async throws -> DeliveryRecord {
        guard staff.role >= .manager else {
            throw DomainError(.forbidden, code: "forbidden", title: "无权执行此操作", detail: "retrying deliveries needs the manager role")
        }
        let visible = Set(try await staffWebhooks(by: staff).map(\.id))
        guard let delivery = try await store.delivery(id: id), visible.contains(delivery.subscriptionID) else {
            throw DomainError.notFound("delivery \(id)")
        }
        guard delivery.status == .dead else {
            throw DomainError(.conflict, code: "delivery_not_dead", title: "该推送不是失败状态，无需重发",
                              detail: "delivery \(id) is \(delivery.status.rawValue); only dead deliveries are retried")
        }
        let at = now()
        guard let revived = try await store.revive(id: id, now: at, audit: AuditRecord(staffID: staff.id, action: "delivery.retry",
                                                                                     target: "delivery \(id)", at: at))
        else { throw DomainError(.conflict, code: "delivery_not_dead", title: "该推送不是失败状态，无需重发", detail: "delivery \(id) changed meanwhile") }
        return revived
    }

    // MARK: Apps

    /// Sets the app's webhook (replacing any earlier one) and answers its new signing secret, shown only here.
    public func setClientWebhook(url: String, events: [String], for client: APIClient) async throws -> (subscription: WebhookSubscription, secret: String) {
        let events = try Self.events(events, allowed: Set(EventType.allCases.filter(\.isForTheCitizensApp)))
        let target = try await checkedTarget(url)
        let secret = Self.makeSecret()
        let subscription = try await store.replaceClientSubscription(
            NewSubscription(channel: .webhook, sealedURL: try cipher.seal(target.url), redactedURL: WebhookURL.redacted(target.url),
                            sealedSecret: try cipher.seal(secret), events: events, owner: .client(client.id), createdAt: now()))
        return (subscription, secret)
    }

    public func clientWebhook(for client: APIClient) async throws -> WebhookSubscription {
        guard let found = try await shownSubscriptions().first(where: { $0.owner == .client(client.id) }) else {
            throw DomainError.notFound("this app has no webhook")
        }
        return found
    }

    public func removeClientWebhook(for client: APIClient) async throws {
        let found = try await clientWebhook(for: client)
        _ = try await store.removeSubscription(id: found.id, audit: nil)
    }

    // MARK: Checks

    /// The URL under the address rules, its host resolved first (a literal address or `allowPrivate` needs no DNS).
    func checkedTarget(_ url: String) async throws -> WebhookTarget {
        let host = try WebhookAddressPolicy.host(of: url, allowPrivate: allowPrivate)
        let addresses = allowPrivate || WebhookAddressPolicy.literalAddress(host) != nil ? nil : await resolve(host)
        return try WebhookAddressPolicy.check(url, allowPrivate: allowPrivate, resolve: { _ in addresses })
    }

    static func channel(_ text: String) throws(DomainError) -> WebhookChannel {
        guard let channel = WebhookChannel(rawValue: text) else {
            throw DomainError.invalidParameter("channel", "must be one of wecom, dingtalk, feishu, webhook")
        }
        return channel
    }

    static func events(_ names: [String], allowed: Set<EventType>) throws(DomainError) -> Set<EventType> {
        guard !names.isEmpty, names.count <= EventType.allCases.count * 2 else {
            throw DomainError.invalidParameter("events", "name at least one event")
        }
        var events = Set<EventType>()
        for name in names {
            guard let type = EventType(rawValue: name), allowed.contains(type) else {
                throw DomainError.invalidParameter("events", "\(name.prefix(64)) is not one of \(allowed.map(\.rawValue).sorted().joined(separator: ", "))")
            }
            events.insert(type)
        }
        return events
    }

    static func secret(_ text: String) throws(DomainError) -> String {
        guard (8...maxSecretLength).contains(text.utf8.count), text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw DomainError.invalidParameter("secret", "must be 8 to \(maxSecretLength) printable ASCII characters")
        }
        return text
    }

    /// `whsec_` and 32 random bytes in base64, as Standard Webhooks secrets are written.
    static func makeSecret() -> String {
        "whsec_" + PersonalDataCipher.generateMasterKey().base64EncodedString()
    }

    /// The bytes to sign with: a `whsec_` secret's base64 body, else the text itself.
    public static func signingKey(_ secret: String) -> Data {
        if secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))) { return key }
        return Data(secret.utf8)
    }
}
