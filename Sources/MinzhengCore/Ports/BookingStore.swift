import Foundation

/// An applicant ready to be stored: encrypted, hashed for the one-active-booking rule, and masked for display.
public struct SealedApplicant: Sendable {
    public let name: Data
    public let idNumber: Data
    public let phone: Data
    /// Keyed hash of the ID number.
    public let idHash: String
    public let masked: MaskedApplicant

    public init(name: Data, idNumber: Data, phone: Data, idHash: String, masked: MaskedApplicant) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
        self.idHash = idHash
        self.masked = masked
    }
}

/// A booking about to be made: the booking as it will be answered, and what is stored beside it.
public struct BookingDraft: Sendable {
    public let booking: Booking
    /// Capacity the slot gets if nobody has set one for it yet and the office has the standard schedule.
    public let defaultCapacity: Int
    public let applicants: [SealedApplicant]
    public let today: LocalDate
    /// The answer kept for the idempotency key (the booking as JSON), encoded before the write.
    public let replayRecord: String

    public init(booking: Booking, defaultCapacity: Int, applicants: [SealedApplicant], today: LocalDate, replayRecord: String) {
        self.booking = booking
        self.defaultCapacity = defaultCapacity
        self.applicants = applicants
        self.today = today
        self.replayRecord = replayRecord
    }
}

/// An `Idempotency-Key` and a fingerprint of the request it came with.
public struct IdempotencyClaim: Sendable {
    public let owner: BookingOwner
    public let key: String
    public let requestHash: String

    public init(owner: BookingOwner, key: String, requestHash: String) {
        self.owner = owner
        self.key = key
        self.requestHash = requestHash
    }
}

public struct OfficeCalendar: Sendable {
    public let usage: [LocalDate: [SlotUsage]]
    public let overrides: [LocalDate: OfficeDayOverride]
    /// The office's own schedule; nil while it has the standard one.
    public let schedule: OfficeSchedule?

    public init(usage: [LocalDate: [SlotUsage]], overrides: [LocalDate: OfficeDayOverride], schedule: OfficeSchedule?) {
        self.usage = usage
        self.overrides = overrides
        self.schedule = schedule
    }
}

/// What the booking rules read from the store about a request.
public struct BookingPreflight: Sendable {
    public let dayOverride: OfficeDayOverride?
    /// By ID hash.
    public let noShows: [String: [LocalDate]]
    /// The office's own schedule; nil while it has the standard one.
    public let schedule: OfficeSchedule?
    /// Couples are registered for the day's draw and it has not run yet: no booking may jump the queue.
    public let drawPending: Bool

    public init(dayOverride: OfficeDayOverride?, noShows: [String: [LocalDate]], schedule: OfficeSchedule?, drawPending: Bool = false) {
        self.dayOverride = dayOverride
        self.noShows = noShows
        self.schedule = schedule
        self.drawPending = drawPending
    }
}

public enum BookingCreation: Sendable {
    case created(Booking)
    /// The same key and request came before: the booking as it was first answered.
    case replayed(Booking)
}

/// A day's exception to the calendar at one office.
public enum OfficeDayOverride: String, Sendable {
    case closed, open
}

/// Where bookings, slots and office days are kept. Every write that takes or frees a place is one
/// transaction, and a place is taken only by a conditional update of the slot's `booked` count.
public protocol BookingStore: Sendable {
    /// In one transaction: answers `.replayed` with the first booking when the idempotency key was used with
    /// the same request (throws `idempotency_key_reused` when with another); otherwise reads what the rules
    /// need (`BookingPreflight`), lets `admit` refuse, takes the place and stores the booking and the key.
    /// Reading and writing together means no closure or no-show slips in between the check and the booking.
    func create(_ draft: BookingDraft, idempotency: IdempotencyClaim?, noShowsSince: LocalDate,
                admit: @escaping @Sendable (BookingPreflight) throws -> Void) async throws -> BookingCreation
    /// The booking first answered for this key, if it was used (throws `idempotency_key_reused` when it came
    /// with another request).
    func replay(_ claim: IdempotencyClaim) async throws -> Booking?
    /// The idempotency keys stored since `since`.
    func idempotencyKeys(since: Date) async throws -> [(owner: BookingOwner, key: String, at: Date)]
    func booking(id: String) async throws -> Booking?
    func booking(code: String) async throws -> Booking?
    func bookings(owner: BookingOwner, page: PageRequest) async throws -> Page<Booking>
    /// Cancels a confirmed booking of `owner` whose day is after `today`, and frees its place, which goes to the
    /// first waiting couple the rules allow (`promotion`), in the same transaction.
    func cancel(id: String, owner: BookingOwner, now: Date, today: LocalDate, promotion: Promotion) async throws -> Booking
    /// Moves a confirmed booking of `owner` whose day is after `today` to `slot`: in one transaction `admit`
    /// judges the new day, the new place is taken and the old one freed, or nothing changes.
    func reschedule(id: String, owner: BookingOwner, to slot: SlotKey, defaultCapacity: Int, now: Date, today: LocalDate,
                    noShowsSince: LocalDate, admit: @escaping @Sendable (BookingPreflight) throws -> Void, promotion: Promotion) async throws -> Booking
    /// The encrypted ID numbers of a booking's applicants, in order.
    func sealedIDNumbers(bookingID: String) async throws -> [Data]
    /// The applicants' sealed names and ID numbers, for a staff member who must see them, in the transaction that
    /// writes `audit`: no reveal without its audit row.
    func revealApplicants(bookingID: String, audit: AuditRecord) async throws -> [(name: Data, idNumber: Data)]

    /// The slots that exist (have been booked or given a capacity) and the office's exceptions to the
    /// calendar between the dates, inclusive, read together.
    func officeCalendar(officeID: Int64, from: LocalDate, to: LocalDate) async throws -> OfficeCalendar
    /// The acceptance date (check-in day) of a checked-in `divorce_application` of exactly these two people,
    /// not yet used by a `divorce_certificate` booking other than `certificateID`.
    func acceptedDivorceApplication(id: String, idHashes: Set<String>, certificateID: String?) async throws -> LocalDate?
    /// The applicants' ID hashes of a booking.
    func idHashes(bookingID: String) async throws -> Set<String>

    /// The office's own schedule; nil while it has the standard one.
    func officeSchedule(officeID: Int64) async throws -> OfficeSchedule?

    // Staff actions: each writes its audit row in the same transaction.
    /// Replaces the office's schedule; throws `period_in_use` when a period it drops still has confirmed
    /// bookings on or after `from`.
    /// Periods or capacities it adds go to waiting couples at once.
    func setOfficeSchedule(officeID: Int64, _ schedule: OfficeSchedule, from: LocalDate, audit: AuditRecord, promotion: Promotion) async throws
    /// Sets capacity; places it adds go to waiting couples at once.
    func setCapacity(officeID: Int64, dates: [LocalDate], periods: [String], service: MarriageService, capacity: Int,
                     audit: AuditRecord, promotion: Promotion) async throws
    /// Closes the day and cancels its confirmed bookings (`cancelled_by_office`), freeing their places.
    func closeDay(officeID: Int64, date: LocalDate, reason: String, audit: AuditRecord) async throws -> [Booking]
    func openDay(officeID: Int64, date: LocalDate, reason: String, audit: AuditRecord, promotion: Promotion) async throws
    func roster(officeID: Int64, date: LocalDate) async throws -> [Booking]
    /// Moves a confirmed booking to `status` (checked in, no-show), or throws when it is no longer confirmed.
    func transition(id: String, to status: BookingStatus, audit: AuditRecord) async throws -> Booking

    // Rush days: waitlists and the fair draw.
    /// In one transaction: refuses while the period (any period, for a day-wide entry) has a place left or an
    /// applicant is already waiting or holds an active booking; lets `admit` judge the day; adds the entry last.
    func joinWaitlist(_ draft: WaitingDraft, defaultCapacity: Int, noShowsSince: LocalDate,
                      admit: @escaping @Sendable (BookingPreflight) throws -> Void) async throws -> WaitlistEntry
    func waitlist(owner: BookingOwner) async throws -> [WaitlistEntry]
    func leaveWaitlist(id: String, owner: BookingOwner, now: Date) async throws -> WaitlistEntry
    /// Couples waiting for each period of the day ("" for any period).
    func waitingCounts(officeID: Int64, date: LocalDate, service: MarriageService) async throws -> [String: Int]

    /// Marks a day high-demand at an office (audited).
    func markHighDemand(officeID: Int64, date: LocalDate, audit: AuditRecord) async throws
    func isMarkedHighDemand(officeID: Int64, date: LocalDate) async throws -> Bool
    /// Registers a couple for the day's draw: one entry per person and day, across offices. The first
    /// registration of an office's day draws its seed (`seed`) and keeps it, publishing only its hash. `admit` judges
    /// the day's override (closed, or opened) in the write, so a closure cannot slip in between.
    func registerForDraw(seed: String, _ draft: WaitingDraft,
                         admit: @escaping @Sendable (OfficeDayOverride?) throws -> Void) async throws -> DrawEntry
    func drawEntries(owner: BookingOwner) async throws -> [DrawEntry]
    /// (office, day) pairs with registered entries and no draw yet.
    func pendingDraws() async throws -> [(officeID: Int64, date: LocalDate)]
    /// Runs the draw in one transaction: the order from the seed committed at the first registration, places down
    /// the order by preference under every booking rule, the rest onto the day's waitlist in draw order; keeps the
    /// seed and the order. A day without a committed seed has no draw to run (an error: it cannot happen).
    func runDraw(officeID: Int64, date: LocalDate, promotion: Promotion) async throws -> DrawRecord
    func draw(officeID: Int64, date: LocalDate) async throws -> DrawRecord?
    /// The SHA-256 (hex) of the day's seed, published from the first registration on; nil before.
    func drawCommitment(officeID: Int64, date: LocalDate) async throws -> String?
}

/// Who did what, when, to what, with the state before and after: written beside every staff change, in
/// the same transaction. Personal data in `before`/`after` is masked.
public struct AuditRecord: Sendable {
    public let staffID: Int64
    public let action: String
    public let target: String
    public let at: Date
    public let before: String?
    public let after: String?

    public init(staffID: Int64, action: String, target: String, at: Date, before: String? = nil, after: String? = nil) {
        self.staffID = staffID
        self.action = action
        self.target = target
        self.at = at
        self.before = before
        self.after = after
    }
}

/// One stored audit row with its place in the chain.
public struct AuditEntry: Sendable, Equatable {
    public let id: Int64
    public let staffID: Int64
    public let action: String
    public let target: String
    public let at: Date
    public let before: String?
    public let after: String?
    public let previousHash: String
    public let hash: String

    public init(id: Int64, staffID: Int64, action: String, target: String, at: Date, before: String?, after: String?,
                previousHash: String, hash: String) {
        self.id = id
        self.staffID = staffID
        self.action = action
        self.target = target
        self.at = at
        self.before = before
        self.after = after
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// Reads the audit log (rows are written by the stores, inside the transactions they record).
public protocol AuditStore: Sendable {
    /// At most `limit` rows after row `id` (0: from the start), oldest first. A log of years is read a page at a time.
    func auditTrail(after id: Int64, limit: Int) async throws -> [AuditEntry]
}

extension AuditStore {
    /// The whole trail checked a page at a time (`AuditChain.Walk`): a province's log of years need not fit in memory.
    public func walkTrail(pageSize: Int = 10_000) async throws -> AuditChain.Walk {
        var walk = AuditChain.Walk()
        try await forEachPage(pageSize) { walk.check($0) }
        return walk
    }

    /// Every row, oldest first (tests and small logs).
    public func auditTrail() async throws -> [AuditEntry] {
        var trail: [AuditEntry] = []
        try await forEachPage(10_000) { trail += $0 }
        return trail
    }

    private func forEachPage(_ size: Int, _ body: ([AuditEntry]) -> Void) async throws {
        var last: Int64 = 0
        while true {
            let page = try await auditTrail(after: last, limit: size)
            guard let end = page.last else { return }
            body(page)
            last = end.id
        }
    }
}
