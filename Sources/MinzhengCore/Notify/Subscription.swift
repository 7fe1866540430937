import Foundation

/// A receiver of events: an office group's robot (registered by staff) or an app backend's signed webhook.
public struct WebhookSubscription: Sendable, Equatable {
    public enum Owner: Sendable, Equatable {
        /// Events of the offices under `division`, or of one office.
        case staff(division: DivisionCode, officeID: Int64?)
        /// Booking and application events of the app's own citizens.
        case client(Int64)
    }

    public let id: Int64
    public let channel: WebhookChannel
    /// The URL with its credential hidden (`WebhookURL.redacted`): the only form shown or logged.
    public let redactedURL: String
    public let events: Set<EventType>
    public let owner: Owner
    public let createdAt: Date

    public init(id: Int64, channel: WebhookChannel, redactedURL: String, events: Set<EventType>, owner: Owner, createdAt: Date) {
        self.id = id
        self.channel = channel
        self.redactedURL = redactedURL
        self.events = events
        self.owner = owner
        self.createdAt = createdAt
    }

    /// Whether an event goes to this receiver. `eventDivision` is the division of the event's office, or the
    /// division an event without an office is about; an office's group hears only of its office.
    public func wants(_ type: EventType, officeID: Int64?, clientID: Int64?, eventDivision: DivisionCode?) -> Bool {
        guard events.contains(type) else { return false }
        switch owner {
        case .staff(let division, let office?):
            return officeID == office && eventDivision.map(division.contains) != false
        case .staff(let division, nil):
            return eventDivision.map(division.contains) ?? false
        case .client(let client):
            return type.isForTheCitizensApp && clientID == client
        }
    }

    /// The division whose staff may see and manage it (nil for an app's own webhook).
    public var staffDivision: DivisionCode? {
        if case .staff(let division, _) = owner { return division }
        return nil
    }
}

/// A subscription about to be stored, its URL and secret already sealed.
public struct NewSubscription: Sendable {
    public let channel: WebhookChannel
    public let sealedURL: Data
    public let redactedURL: String
    public let sealedSecret: Data?
    public let events: Set<EventType>
    public let owner: WebhookSubscription.Owner
    public let createdAt: Date

    public init(channel: WebhookChannel, sealedURL: Data, redactedURL: String, sealedSecret: Data?, events: Set<EventType>,
                owner: WebhookSubscription.Owner, createdAt: Date) {
        self.channel = channel
        self.sealedURL = sealedURL
        self.redactedURL = redactedURL
        self.sealedSecret = sealedSecret
        self.events = events
        self.owner = owner
        self.createdAt = createdAt
    }
}
