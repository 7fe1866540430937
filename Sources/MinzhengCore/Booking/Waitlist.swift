import Foundation

/// A couple waiting for a place in a full period (or any period of the day), in order of arrival.
public struct WaitlistEntry: Sendable, Equatable {
    public enum Status: String, Sendable {
        case waiting
        /// Given a place: `bookingID` is their booking.
        case promoted
        /// Passed over when a place came: a rule no longer allowed them (`note` says which).
        case skipped
        case left
    }

    public let id: String
    public let owner: BookingOwner
    public let officeID: Int64
    public let date: LocalDate
    /// Nil: any period of the day.
    public let period: String?
    public let service: MarriageService
    public var status: Status
    public var bookingID: String?
    public var note: String?
    /// Couples waiting ahead of this one (while waiting).
    public var ahead: Int?
    public let applicants: [MaskedApplicant]
    public let createdAt: Date

    public init(id: String, owner: BookingOwner, officeID: Int64, date: LocalDate, period: String?, service: MarriageService, status: Status,
                bookingID: String?, note: String?, ahead: Int?, applicants: [MaskedApplicant], createdAt: Date) {
        self.id = id
        self.owner = owner
        self.officeID = officeID
        self.date = date
        self.period = period
        self.service = service
        self.status = status
        self.bookingID = bookingID
        self.note = note
        self.ahead = ahead
        self.applicants = applicants
        self.createdAt = createdAt
    }
}

/// A couple's entry for the fair draw of a high-demand day, with their periods in order of preference.
public struct DrawEntry: Sendable, Equatable {
    public enum Status: String, Sendable {
        case registered
        /// Drawn with a place: `bookingID`, in `period`.
        case won
        /// Drawn after the places ran out (or their periods did): joined the day's waitlist in draw order.
        case waitlisted
        /// A rule no longer allowed them at the draw (`note` says which).
        case ineligible
    }

    public let id: String
    public let owner: BookingOwner
    public let officeID: Int64
    public let date: LocalDate
    public let preferences: [String]
    public var status: Status
    /// Place in the draw order, from 1.
    public var rank: Int?
    public var period: String?
    public var bookingID: String?
    public var note: String?
    public let applicants: [MaskedApplicant]
    public let createdAt: Date

    public init(id: String, owner: BookingOwner, officeID: Int64, date: LocalDate, preferences: [String], status: Status, rank: Int?,
                period: String?, bookingID: String?, note: String?, applicants: [MaskedApplicant], createdAt: Date) {
        self.id = id
        self.owner = owner
        self.officeID = officeID
        self.date = date
        self.preferences = preferences
        self.status = status
        self.rank = rank
        self.period = period
        self.bookingID = bookingID
        self.note = note
        self.applicants = applicants
        self.createdAt = createdAt
    }
}

/// A draw as published: anyone with the seed and the entry ids can recompute the order (`FairDraw.order`) and,
/// with the preferences and places, the outcome (`FairDraw.assign`).
public struct DrawRecord: Sendable, Equatable {
    public let officeID: Int64
    public let date: LocalDate
    public let seed: String
    public let drawnAt: Date
    /// Places per period when the draw ran.
    public let places: [String: Int]
    /// Entry ids in draw order, with each one's preferences and outcome (the period won, or nil). An ineligible
    /// entry (a booking rule refused the couple at the draw) took no place: re-running skips it.
    public let entries: [(id: String, preferences: [String], period: String?, eligible: Bool)]

    public init(officeID: Int64, date: LocalDate, seed: String, drawnAt: Date, places: [String: Int],
                entries: [(id: String, preferences: [String], period: String?, eligible: Bool)]) {
        self.officeID = officeID
        self.date = date
        self.seed = seed
        self.drawnAt = drawnAt
        self.places = places
        self.entries = entries
    }

    public static func == (lhs: DrawRecord, rhs: DrawRecord) -> Bool {
        lhs.officeID == rhs.officeID && lhs.date == rhs.date && lhs.seed == rhs.seed && lhs.places == rhs.places
            && lhs.entries.map(\.id) == rhs.entries.map(\.id) && lhs.entries.map(\.period) == rhs.entries.map(\.period)
    }
}

/// A couple about to join a waitlist or a draw: the entry and the applicants as stored.
public struct WaitingDraft: Sendable {
    public let id: String
    public let owner: BookingOwner
    public let slot: SlotKey
    /// Waitlist: nil for any period. Draw: ignored (see `preferences`).
    public let anyPeriod: Bool
    public let preferences: [String]
    public let applicants: [SealedApplicant]
    public let coupleKey: String
    public let createdAt: Date

    public init(id: String, owner: BookingOwner, slot: SlotKey, anyPeriod: Bool, preferences: [String], applicants: [SealedApplicant],
                coupleKey: String, createdAt: Date) {
        self.id = id
        self.owner = owner
        self.slot = slot
        self.anyPeriod = anyPeriod
        self.preferences = preferences
        self.applicants = applicants
        self.coupleKey = coupleKey
        self.createdAt = createdAt
    }
}

/// What a store needs to give freed places to waiting couples inside the transaction that frees them: the
/// booking rules for a day and period (judged against what is stored), and the moment.
public struct Promotion: Sendable {
    public let now: Date
    public let today: LocalDate
    public let noShowsSince: LocalDate
    public let admit: @Sendable (LocalDate, String, BookingPreflight) throws -> Void

    public init(now: Date, today: LocalDate, noShowsSince: LocalDate, admit: @escaping @Sendable (LocalDate, String, BookingPreflight) throws -> Void) {
        self.now = now
        self.today = today
        self.noShowsSince = noShowsSince
        self.admit = admit
    }
}
