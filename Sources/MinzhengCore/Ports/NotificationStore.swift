import Foundation

/// An outbox event not yet turned into deliveries.
public struct PendingEvent: Sendable {
    public let id: Int64
    public let type: EventType
    public let officeID: Int64?
    public let clientID: Int64?
    /// The division of an event without an office (applications).
    public let divisionCode: DivisionCode?

    public init(id: Int64, type: EventType, officeID: Int64?, clientID: Int64?, divisionCode: DivisionCode? = nil) {
        self.id = id
        self.type = type
        self.officeID = officeID
        self.clientID = clientID
        self.divisionCode = divisionCode
    }
}

/// A delivery a worker holds under lease, with everything needed to send it.
public struct ClaimedDelivery: Sendable {
    /// Also the `webhook-id` receivers see: the same on every attempt.
    public let id: String
    /// This attempt's number, from 1.
    public let attempt: Int
    /// Failures before this attempt since the last manual retry: the step of the retry schedule.
    public let failures: Int
    public let subscriptionID: Int64
    public let channel: WebhookChannel
    public let sealedURL: Data
    public let sealedSecret: Data?
    public let eventID: Int64
    public let eventType: EventType
    public let eventData: String
    public let occurredAt: Date
    public let officeID: Int64?

    public init(id: String, attempt: Int, failures: Int, subscriptionID: Int64, channel: WebhookChannel, sealedURL: Data, sealedSecret: Data?,
                eventID: Int64, eventType: EventType, eventData: String, occurredAt: Date, officeID: Int64?) {
        self.id = id
        self.attempt = attempt
        self.failures = failures
        self.subscriptionID = subscriptionID
        self.channel = channel
        self.sealedURL = sealedURL
        self.sealedSecret = sealedSecret
        self.eventID = eventID
        self.eventType = eventType
        self.eventData = eventData
        self.occurredAt = occurredAt
        self.officeID = officeID
    }
}

public enum DeliveryStatus: String, Sendable, CaseIterable {
    case pending, sending, delivered, dead, cancelled
}

/// What became of one claimed delivery.
public struct DeliveryResult: Sendable {
    public enum Next: Sendable, Equatable {
        case delivered
        /// Failed; try again at this moment.
        case retry(at: Date)
        /// Failed for good (permanent error, or out of attempts).
        case dead
        /// Not sent: the receiver's rate limit (or a throttle) says wait. Not an attempt.
        case deferred(until: Date)
    }

    /// The detail of a plain success (stores may keep such a first attempt more compactly).
    public static let plainSuccess = "ok"

    public let deliveryID: String
    public let attempt: Int
    public let at: Date
    public let next: Next
    public let httpStatus: Int?
    /// The robot's `errcode`/`code` from the reply body.
    public let replyCode: Int?
    public let detail: String
    public let milliseconds: Int
    /// Hold every delivery to this receiver until then (DingTalk's ten-minute throttle).
    public let pauseReceiverUntil: Date?
    public let subscriptionID: Int64

    public init(deliveryID: String, attempt: Int, at: Date, next: Next, httpStatus: Int? = nil, replyCode: Int? = nil, detail: String = "",
                milliseconds: Int = 0, pauseReceiverUntil: Date? = nil, subscriptionID: Int64) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.at = at
        self.next = next
        self.httpStatus = httpStatus
        self.replyCode = replyCode
        self.detail = detail
        self.milliseconds = milliseconds
        self.pauseReceiverUntil = pauseReceiverUntil
        self.subscriptionID = subscriptionID
    }
}

/// A delivery as staff see it, with its attempts.
public struct DeliveryRecord: Sendable, Equatable {
    public struct Attempt: Sendable, Equatable {
        public let number: Int
        public let at: Date
        public let outcome: String
        public let httpStatus: Int?
        public let replyCode: Int?
        public let detail: String
        public let milliseconds: Int

        public init(number: Int, at: Date, outcome: String, httpStatus: Int?, replyCode: Int?, detail: String, milliseconds: Int) {
            self.number = number
            self.at = at
            self.outcome = outcome
            self.httpStatus = httpStatus
            self.replyCode = replyCode
            self.detail = detail
            self.milliseconds = milliseconds
        }
    }

    public let id: String
    public let subscriptionID: Int64
    public let eventID: Int64
    public let eventType: EventType
    public let status: DeliveryStatus
    public let nextAttemptAt: Date?
    public let createdAt: Date
    public let attempts: [Attempt]

    public init(id: String, subscriptionID: Int64, eventID: Int64, eventType: EventType, status: DeliveryStatus, nextAttemptAt: Date?,
                createdAt: Date, attempts: [Attempt]) {
        self.id = id
        self.subscriptionID = subscriptionID
        self.eventID = eventID
        self.eventType = eventType
        self.status = status
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.attempts = attempts
    }
}

/// Subscriptions, the outbox and its deliveries. Events are written by the other stores, inside the
/// transactions of the changes that cause them; this store turns them into deliveries and tracks each.
public protocol NotificationStore: Sendable {
    func addSubscription(_ new: NewSubscription, audit: AuditRecord?) async throws -> WebhookSubscription
    /// Every subscription not removed.
    func subscriptions() async throws -> [WebhookSubscription]
    /// Removes it and cancels its pending deliveries; false when there was none.
    func removeSubscription(id: Int64, audit: AuditRecord?) async throws -> Bool
    /// An app's own webhook, replacing its earlier one.
    func replaceClientSubscription(_ new: NewSubscription) async throws -> WebhookSubscription

    /// In one transaction: takes up to `limit` due events that have no deliveries yet, asks `match` which of
    /// the subscriptions (as that transaction reads them, so none made before an event is missed) want each,
    /// and writes one delivery per (event, subscription), leased to the caller at once (as `claim` would)
    /// unless its receiver is paused. Answers the leased deliveries, and whether there were `limit` events
    /// (there may be more).
    func fanOut(now: Date, limit: Int, lease: TimeInterval,
                match: @escaping @Sendable (PendingEvent, [WebhookSubscription]) -> [Int64]) async throws
        -> (claimed: [ClaimedDelivery], full: Bool)
    /// Leases up to `limit` deliveries that are due (or whose lease ran out: their worker died) until
    /// `now + lease`, skipping receivers that are paused.
    func claim(now: Date, limit: Int, lease: TimeInterval) async throws -> [ClaimedDelivery]
    /// Records attempts and their consequences in one transaction.
    func record(_ results: [DeliveryResult]) async throws
    /// The moment of the next due work (an event or a delivery), to sleep until; nil when none is waiting.
    func nextDue() async throws -> Date?

    /// Newest first, at most `limit`.
    func deliveries(subscriptionIDs: [Int64], status: DeliveryStatus?, limit: Int) async throws -> [DeliveryRecord]
    func delivery(id: String) async throws -> DeliveryRecord?
    /// Sends a dead delivery again from the first step of the schedule; nil when it is not dead.
    func revive(id: String, now: Date, audit: AuditRecord) async throws -> DeliveryRecord?
}
