import Foundation

/// An application about to be stored, with what is kept beside it: the applicant sealed, and the keyed hash the
/// anonymous look-up compares.
public struct ApplicationDraft: Sendable {
    public let record: ApplicationRecord
    public let applicant: SealedApplicant
    public let lookupHash: String

    public init(record: ApplicationRecord, applicant: SealedApplicant, lookupHash: String) {
        self.record = record
        self.applicant = applicant
        self.lookupHash = lookupHash
    }
}

/// An application as stored, with what only the anonymous look-up needs.
public struct StoredApplication: Sendable {
    public let record: ApplicationRecord
    /// The keyed hash of the number and the ID number's last six characters.
    public let lookupHash: String
    /// Anonymous look-ups not (yet) proven right, counted since `failedLookupsSince`.
    public let failedLookups: Int
    public let failedLookupsSince: Date

    public init(record: ApplicationRecord, lookupHash: String, failedLookups: Int, failedLookupsSince: Date) {
        self.record = record
        self.lookupHash = lookupHash
        self.failedLookups = failedLookups
        self.failedLookupsSince = failedLookupsSince
    }
}

/// Stores applications. Every change commits with its outbox event (and a staff member's with its audit row).
public protocol ApplicationStore: Sendable {
    func insertApplication(_ draft: ApplicationDraft, event: OutboxEvent) async throws
    func application(number: String) async throws -> StoredApplication?
    /// Counts an anonymous look-up before it is judged, in one write (so look-ups racing in parallel are all
    /// counted): the count starts again at one when it began before `windowStart`. Nil when there is no such number.
    func countLookUp(number: String, at: Date, windowStart: Date) async throws -> StoredApplication?
    /// The applicant's sealed name, ID number and phone, read in the transaction that writes `audit`; nil when there
    /// is no such application.
    func revealApplicant(number: String, audit: AuditRecord) async throws -> (name: Data, idNumber: Data, phone: Data)?
    /// A look-up proven right is taken off the count `countLookUp` added it to; the wrong ones before it stay,
    /// with their window (a right answer must not buy a guesser another ten).
    func uncountLookUp(number: String) async throws
    /// A citizen's applications, newest first (ties: the greater number first), from after application `after`.
    func applications(owner: BookingOwner, after: String?, limit: Int) async throws -> [ApplicationRecord]
    /// Applications handled under `division`, newest first as above; with `overdueOn`, only those undecided and
    /// promised before it, the oldest promise first (ties: the smaller number first). From after application `after`.
    func applications(under division: DivisionCode, status: ApplicationStatus?, overdueOn: LocalDate?, after: String?,
                      limit: Int) async throws -> [ApplicationRecord]
    /// Stores `updated` if the stored status is still `expecting` (one conditional write), with its event and audit
    /// row; false when someone moved it first.
    func updateApplication(_ updated: ApplicationRecord, expecting: ApplicationStatus, event: OutboxEvent, audit: AuditRecord) async throws -> Bool
    /// Marks up to `limit` undecided applications promised before `today` and not marked yet, writing `event(record)`
    /// for each in the same transaction: each is reported once. Returns those it marked.
    func noteOverdue(today: LocalDate, limit: Int, event: @escaping @Sendable (ApplicationRecord) -> OutboxEvent) async throws -> [ApplicationRecord]
}
