import Foundation

/// What happened, as subscribers name it.
public enum EventType: String, Sendable, CaseIterable, Codable {
    case bookingConfirmed = "booking.confirmed"
    case bookingCancelled = "booking.cancelled"
    case bookingRescheduled = "booking.rescheduled"
    case bookingCancelledByOffice = "booking.cancelled_by_office"
    case bookingReminder = "booking.reminder"
    case bookingNoShow = "booking.no_show"
    case officeClosed = "office.closed"
    case capacityNearlyFull = "capacity.nearly_full"
    case applicationUpdated = "application.updated"
    case applicationOverdue = "application.overdue"

    /// Events about one citizen's booking; the app that made the booking is told of these.
    public var isAboutABooking: Bool { rawValue.hasPrefix("booking.") }

    /// Events about an application (办件): they name a division, not an office.
    public var isAboutAnApplication: Bool { rawValue.hasPrefix("application.") }

    /// Events an app is told of about its own citizens: their bookings, and each step of their applications.
    public var isForTheCitizensApp: Bool { isAboutABooking || self == .applicationUpdated }
}

/// An event on its way into the outbox, written in the transaction of the change that causes it.
public struct OutboxEvent: Sendable, Equatable {
    public let type: EventType
    public let officeID: Int64?
    /// The app whose citizen the event is about (booking and application events).
    public let clientID: Int64?
    public let bookingID: String?
    /// The division an event without an office is about (applications): office groups under it are told.
    public let divisionCode: DivisionCode?
    /// The event's `data` as JSON: masked personal data only.
    public let data: String
    public let occurredAt: Date
    /// Not sent before this moment (reminders); otherwise `occurredAt`.
    public let dueAt: Date
    /// Events with the same key are written once (`capacity.nearly_full` per office and day).
    public let onceKey: String?

    public init(type: EventType, officeID: Int64?, clientID: Int64?, bookingID: String?, divisionCode: DivisionCode? = nil, data: String,
                occurredAt: Date, dueAt: Date? = nil, onceKey: String? = nil) {
        self.type = type
        self.officeID = officeID
        self.clientID = clientID
        self.bookingID = bookingID
        self.divisionCode = divisionCode
        self.data = data
        self.occurredAt = occurredAt
        self.dueAt = dueAt ?? occurredAt
        self.onceKey = onceKey
    }
}

/// The `data` of booking events: what a receiver may show, with every personal field masked.
public struct BookingEventData: Sendable, Equatable, Codable {
    public struct Person: Sendable, Equatable, Codable {
        public let name: String
        public let idNumber: String
        public let phone: String

        enum CodingKeys: String, CodingKey {
            case name, phone
            case idNumber = "id_number"
        }
    }

    public let bookingID: String
    public let code: String
    public let officeID: Int64
    public let date: String
    public let period: String
    public let service: MarriageService
    public let status: BookingStatus
    public let applicants: [Person]
    /// For `booking.rescheduled`: the day and period it moved from.
    public let previousDate: String?
    public let previousPeriod: String?
    /// How a `booking.confirmed` came about when not booked directly: "waitlist" (a freed place) or "draw".
    public let source: String?

    enum CodingKeys: String, CodingKey {
        case code, date, period, service, status, applicants
        case bookingID = "booking_id"
        case officeID = "office_id"
        case previousDate = "previous_date"
        case previousPeriod = "previous_period"
        case source
    }

    public init(_ booking: Booking, movedFrom previous: SlotKey? = nil, source: String? = nil) {
        bookingID = booking.id
        code = booking.code
        officeID = booking.slot.officeID
        date = booking.slot.date.description
        period = booking.slot.period
        service = booking.slot.service
        status = booking.status
        applicants = booking.applicants.map { Person(name: $0.name, idNumber: $0.idNumber, phone: $0.phone) }
        previousDate = previous?.date.description
        previousPeriod = previous?.period
        self.source = source
    }
}

/// The `data` of office events (`office.closed`, `capacity.nearly_full`).
public struct OfficeEventData: Sendable, Equatable, Codable {
    public let officeID: Int64
    public let date: String
    public let reason: String?
    /// `office.closed`: how many bookings the closure cancelled.
    public let cancelledBookings: Int?
    /// `capacity.nearly_full`: places booked and offered that day, for the service.
    public let service: MarriageService?
    public let booked: Int?
    public let capacity: Int?

    enum CodingKeys: String, CodingKey {
        case date, reason, service, booked, capacity
        case officeID = "office_id"
        case cancelledBookings = "cancelled_bookings"
    }

    public init(officeID: Int64, date: LocalDate, reason: String? = nil, cancelledBookings: Int? = nil, service: MarriageService? = nil,
                booked: Int? = nil, capacity: Int? = nil) {
        self.officeID = officeID
        self.date = date.description
        self.reason = reason
        self.cancelledBookings = cancelledBookings
        self.service = service
        self.booked = booked
        self.capacity = capacity
    }
}

/// The `data` of application events: where it stands, with the applicant's name masked.
public struct ApplicationEventData: Sendable, Equatable, Codable {
    public let number: String
    public let itemCode: String
    public let itemName: String
    public let divisionCode: String
    public let status: ApplicationStatus
    public let statusLabel: String
    public let promisedDate: String
    public let applicantName: String
    public let reason: String?
    public let trackingNumber: String?

    enum CodingKeys: String, CodingKey {
        case number, status, reason
        case itemCode = "item_code"
        case itemName = "item_name"
        case divisionCode = "division_code"
        case statusLabel = "status_label"
        case promisedDate = "promised_date"
        case applicantName = "applicant_name"
        case trackingNumber = "tracking_number"
    }

    public init(_ application: ApplicationRecord) {
        number = application.number
        itemCode = application.itemCode
        itemName = application.itemName
        divisionCode = application.division.rawValue
        status = application.status
        statusLabel = application.status.label
        promisedDate = application.promisedDate.description
        applicantName = application.applicant.name
        reason = application.steps.last?.reason
        trackingNumber = application.steps.last?.trackingNumber
    }
}

/// When reminders go out and when a day counts as nearly full; stores use it to write the events.
public struct NotifyPolicy: Sendable, Equatable {
    /// Reminders are due the day before the booking at this local (Beijing) time, in minutes after midnight.
    public var reminderMinuteOfDay: Int
    /// `capacity.nearly_full` fires when a day's bookings of a service reach this share of its places (once per
    /// office, day and service).
    public var nearlyFullShare: Double

    public init(reminderMinuteOfDay: Int = 18 * 60, nearlyFullShare: Double = 0.9) {
        self.reminderMinuteOfDay = reminderMinuteOfDay
        self.nearlyFullShare = nearlyFullShare
    }

    /// The moment the reminder of a booking on `date` is due, never before `now`.
    public func reminderDue(for date: LocalDate, now: Date) -> Date {
        max(date.adding(days: -1).instant(hour: 0, minute: reminderMinuteOfDay), now)
    }

    /// True when `booked` of `capacity` places reach the share (and there are places at all).
    public func isNearlyFull(booked: Int, capacity: Int) -> Bool {
        capacity > 0 && Double(booked) >= Double(capacity) * nearlyFullShare
    }

    public static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

extension OutboxEvent {
    public static func booking(_ type: EventType, _ booking: Booking, at: Date, movedFrom: SlotKey? = nil, source: String? = nil) -> OutboxEvent {
        OutboxEvent(type: type, officeID: booking.slot.officeID, clientID: booking.owner.clientID, bookingID: booking.id,
                    data: NotifyPolicy.encode(BookingEventData(booking, movedFrom: movedFrom, source: source)), occurredAt: at)
    }

    public static func reminder(_ booking: Booking, at: Date, policy: NotifyPolicy) -> OutboxEvent {
        OutboxEvent(type: .bookingReminder, officeID: booking.slot.officeID, clientID: booking.owner.clientID, bookingID: booking.id,
                    data: NotifyPolicy.encode(BookingEventData(booking)), occurredAt: at,
                    dueAt: policy.reminderDue(for: booking.slot.date, now: at))
    }

    public static func officeClosed(officeID: Int64, date: LocalDate, reason: String, cancelled: Int, at: Date) -> OutboxEvent {
        OutboxEvent(type: .officeClosed, officeID: officeID, clientID: nil, bookingID: nil,
                    data: NotifyPolicy.encode(OfficeEventData(officeID: officeID, date: date, reason: reason, cancelledBookings: cancelled)),
                    occurredAt: at)
    }

    public static func nearlyFull(officeID: Int64, date: LocalDate, service: MarriageService, booked: Int, capacity: Int, at: Date) -> OutboxEvent {
        OutboxEvent(type: .capacityNearlyFull, officeID: officeID, clientID: nil, bookingID: nil,
                    data: NotifyPolicy.encode(OfficeEventData(officeID: officeID, date: date, service: service, booked: booked, capacity: capacity)),
                    occurredAt: at, onceKey: "capacity.nearly_full:\(officeID):\(date):\(service.rawValue)")
    }

    /// `application.updated` (a step was taken: to the citizen's app and the division's groups) or
    /// `application.overdue` (to the division's groups only).
    public static func application(_ type: EventType, _ application: ApplicationRecord, at: Date) -> OutboxEvent {
        OutboxEvent(type: type, officeID: nil, clientID: application.owner.clientID, bookingID: nil, divisionCode: application.division,
                    data: NotifyPolicy.encode(ApplicationEventData(application)), occurredAt: at)
    }
}
