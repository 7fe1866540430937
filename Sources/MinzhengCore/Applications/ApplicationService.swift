import Foundation

/// What a citizen sends to apply online.
public struct ApplicationRequest: Sendable {
    public let itemCode: String
    public let division: String
    public let applicant: ApplicantInput

    public init(itemCode: String, division: String, applicant: ApplicantInput) {
        self.itemCode = itemCode
        self.division = division
        self.applicant = applicant
    }
}

/// A staff member's step on an application.
public struct ApplicationTransition: Sendable {
    public let status: String
    public let reason: String?
    public let trackingNumber: String?

    public init(status: String, reason: String?, trackingNumber: String?) {
        self.status = status
        self.reason = reason
        self.trackingNumber = trackingNumber
    }
}

/// Applications (办件) from submission to completion: citizens apply for an item their division publishes and
/// follow it (by session, or anonymously with the number and their ID number's last six characters); staff of the
/// division move it forward. Every step is an `application.updated` event; an application past its promised date
/// and undecided raises one `application.overdue`.
public struct ApplicationService: Sendable {
    let store: any ApplicationStore
    let catalogue: ServiceGuideService
    let calendar: WorkCalendar
    let cipher: PersonalDataCipher
    let lookupLimit: ApplicationLookupLimit?
    let now: @Sendable () -> Date

    public init(store: any ApplicationStore, catalogue: ServiceGuideService, calendar: WorkCalendar, cipher: PersonalDataCipher,
                lookupLimit: ApplicationLookupLimit?, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.catalogue = catalogue
        self.calendar = calendar
        self.cipher = cipher
        self.lookupLimit = lookupLimit
        self.now = now
    }

    /// How many overdue applications one transaction of the sweep reports.
    static let overdueBatch = 100

    // MARK: Citizens

    public func submit(_ request: ApplicationRequest, by session: CitizenSession) async throws -> ApplicationRecord {
        let at = now()
        let today = LocalDate.today(at: at)
        // Where the citizen applies decides who handles it. The catalogue reads an empty division as the province's
        // (right for its look-ups); here it would file the application with clerks who never see the county's.
        guard !request.division.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DomainError.invalidParameter("division", "say where you apply: a division code such as 320102")
        }
        let published = try catalogue.item(code: request.itemCode, division: request.division)
        guard published.item.guide.online != .inPerson else {
            throw DomainError(.unprocessable, code: "not_online", title: "该事项需到窗口办理，不能网上申请",
                              detail: "\(published.item.code) is handled in person at \(published.hall.name)")
        }
        let applicant = try BookingRules.checkApplicant(request.applicant, field: "applicant", today: today)
        let number = ApplicationNumber.make(on: today)
        let record = ApplicationRecord(
            number: number, itemCode: published.levelAttributes.code, itemName: published.levelAttributes.name, division: published.publication.division,
            owner: session.owner, applicant: MaskedApplicant(applicant), status: .submitted, submittedAt: at,
            promisedDate: calendar.adding(workingDays: published.item.guide.promisedDays, to: today),
            steps: [ApplicationStep(status: .submitted, at: at)])
        let sealed = SealedApplicant(name: try cipher.seal(applicant.name), idNumber: try cipher.seal(applicant.idNumber.value),
                                     phone: try cipher.seal(applicant.phone), idHash: cipher.lookupHash(applicant.idNumber.value),
                                     masked: record.applicant)
        try await store.insertApplication(ApplicationDraft(record: record, applicant: sealed, lookupHash: lookupHash(number, applicant.idNumber.value)),
                                          event: .application(.applicationUpdated, record, at: at))
        return record
    }

    public func applications(of session: CitizenSession, page: PageRequest) async throws -> Page<ApplicationRecord> {
        let after = try Self.after(page)
        return Self.page(try await store.applications(owner: session.owner, after: after, limit: page.limit + 1), page)
    }

    /// The citizen's own application; anyone else's is "not found", as is a number that does not exist.
    public func application(number: String, of session: CitizenSession) async throws -> ApplicationRecord {
        guard let found = try await find(number), found.record.owner == session.owner else { throw Self.notFound }
        return found.record
    }

    /// The anonymous look-up: the number and the ID number's last six characters. A wrong number, a wrong suffix
    /// and a malformed number get the same 404. The rate limit counts callers by their credentials, and anonymous
    /// ones by `address`. Six characters hold few bits (the last four are in every masked ID number), so an application that
    /// has had `failedLookupLimit` wrong guesses within 24 hours of the first of them answers 429 until those 24
    /// hours are over, whatever process is asked; its citizen still sees it through their session.
    public func lookUp(number: String, idSuffix: String, by caller: Caller, address: String) async throws -> ApplicationRecord {
        let number = number.uppercased()
        let wellFormed = ApplicationNumber.isWellFormed(number)
        let at = now()
        // A malformed number gets no bucket of its own: junk must not push real numbers' counts out of memory.
        try lookupLimit?.admit(number: wellFormed ? number : nil, caller: ApplicationLookupLimit.key(caller, address: address), at: at)
        // Exactly the last six characters: a whole ID number (or anything else) is a wrong answer, counted as one.
        let offered = Self.isIDSuffix(idSuffix) ? lookupHash(number, idSuffix) : ""
        let windowStart = at.addingTimeInterval(-Self.failedLookupWindow)
        guard wellFormed, let found = try await store.countLookUp(number: number, at: at, windowStart: windowStart) else { throw Self.notFound }
        // Counted first, judged after: this one is included, right or wrong.
        if found.failedLookups > Self.failedLookupLimit {
            throw DomainError.tooMany(code: "too_many_lookups", title: "查询过于频繁，请稍后再试",
                                      detail: "too many wrong look-ups of this application; sign in through the app to see it",
                                      wait: found.failedLookupsSince.timeIntervalSince(windowStart))
        }
        guard Self.constantTimeEqual(found.lookupHash, offered) else { throw Self.notFound }
        try await store.uncountLookUp(number: number)
        return found.record
    }

    /// Wrong anonymous look-ups one application takes within `failedLookupWindow` of the first before it is closed to them.
    public static let failedLookupLimit = 10
    public static let failedLookupWindow: TimeInterval = 24 * 3600

    // MARK: Staff

    public func applications(under staff: StaffMember, status: String?, page: PageRequest) async throws -> Page<ApplicationRecord> {
        let status = try status.map { (text: String) throws(DomainError) in try Self.status(text) }
        let after = try Self.after(page)
        return Self.page(try await store.applications(under: staff.division, status: status, overdueOn: nil, after: after, limit: page.limit + 1), page)
    }

    /// The division's undecided applications past their promised date, oldest promise first.
    public func overdue(under staff: StaffMember, page: PageRequest) async throws -> Page<ApplicationRecord> {
        let after = try Self.after(page)
        let overdue = try await store.applications(under: staff.division, status: nil, overdueOn: LocalDate.today(at: now()), after: after,
                                                   limit: page.limit + 1)
        return Self.page(overdue, page)
    }

    /// The number of the application a list's previous page ended with (its cursor's key).
    private static func after(_ page: PageRequest) throws(DomainError) -> String? {
        guard let cursor = page.after else { return nil }
        guard cursor.id == 0, ApplicationNumber.isWellFormed(cursor.key) else { throw .invalidParameter("cursor", "belongs to another list") }
        return cursor.key
    }

    /// `fetched` holds up to one more than the page: that one shows a next page, which starts after the last shown.
    private static func page(_ fetched: [ApplicationRecord], _ page: PageRequest) -> Page<ApplicationRecord> {
        let items = Array(fetched.prefix(page.limit))
        let next = fetched.count > page.limit ? items.last.map { PageCursor(key: $0.number, id: 0) } : nil
        return Page(items: items, next: next)
    }

    /// Moves an application of the staff member's division one step forward, audited, with its event.
    public func advance(number: String, _ transition: ApplicationTransition, by staff: StaffMember) async throws -> ApplicationRecord {
        let to = try Self.status(transition.status)
        guard let found = try await find(number), staff.mayManage(found.record.division) else { throw Self.notFound }
        let current = found.record
        guard current.status.next.contains(to) else {
            throw DomainError(.conflict, code: "invalid_transition", title: "办件当前状态不能进行此操作",
                              detail: "\(current.status.rawValue) cannot become \(to.rawValue); next: \(current.status.next.map(\.rawValue).sorted())")
        }
        var reason: String?
        if let text = transition.reason, !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            reason = try Validate.reason(text, length: 1...500)
        }
        let tracking = transition.trackingNumber?.trimmingCharacters(in: .whitespaces).nonEmpty
        if to == .rejected {
            guard reason != nil else { throw DomainError.invalidParameter("reason", "a rejection needs its reason (1 to 500 characters)") }
        } else if reason != nil {
            throw DomainError.invalidParameter("reason", "only a rejection takes a reason")
        }
        if to == .dispatched {
            guard let tracking, Self.isTrackingNumber(tracking) else {
                throw DomainError.invalidParameter("tracking_number", "a dispatched result needs the courier's tracking number (6 to 30 letters and digits)")
            }
        } else if tracking != nil {
            throw DomainError.invalidParameter("tracking_number", "only a dispatch takes a tracking number")
        }
        let at = now()
        var updated = current
        updated.status = to
        updated.steps.append(ApplicationStep(status: to, at: at, reason: reason, trackingNumber: tracking))
        let audit = AuditRecord(staffID: staff.id, action: "application.\(to.rawValue)", target: "application:\(current.number)", at: at,
                                before: current.status.rawValue, after: [to.rawValue, reason, tracking].compactMap { $0 }.joined(separator: " "))
        guard try await store.updateApplication(updated, expecting: current.status, event: .application(.applicationUpdated, updated, at: at), audit: audit)
        else {
            throw DomainError(.conflict, code: "application_changed", title: "办件状态已被他人更新，请刷新后重试",
                              detail: "\(current.number) is no longer \(current.status.rawValue)")
        }
        return updated
    }

    /// The applicant unmasked, for staff of the division who must see it (judging the application, calling the
    /// applicant); every reveal is audited with its reason, in the transaction that reads it.
    public func revealApplicant(number: String, reason: String, by staff: StaffMember) async throws
        -> (number: String, name: String, idNumber: String, phone: String) {
        let reason = try Validate.reason(reason, length: 2...200)
        guard let found = try await find(number), staff.mayManage(found.record.division) else { throw Self.notFound }
        let audit = AuditRecord(staffID: staff.id, action: "application.reveal", target: "application:\(found.record.number)", at: now(),
                                after: NotifyPolicy.encode(["reason": reason]))
        guard let sealed = try await store.revealApplicant(number: found.record.number, audit: audit) else { throw Self.notFound }
        return (found.record.number, try cipher.open(sealed.name), try cipher.open(sealed.idNumber), try cipher.open(sealed.phone))
    }

    /// Raises `application.overdue` once for each undecided application past its promised date; returns how many.
    @discardableResult
    public func noteOverdue() async throws -> Int {
        let at = now()
        var noted = 0
        while true {
            let batch = try await store.noteOverdue(today: LocalDate.today(at: at), limit: Self.overdueBatch) { .application(.applicationOverdue, $0, at: at) }
            noted += batch.count
            if batch.count < Self.overdueBatch { return noted }
        }
    }

    // MARK: Rules

    func lookupHash(_ number: String, _ idNumber: String) -> String {
        cipher.lookupHash("application:\(number):\(idNumber.suffix(6).uppercased())")
    }

    private func find(_ number: String) async throws -> StoredApplication? {
        let number = number.uppercased()
        guard ApplicationNumber.isWellFormed(number) else { return nil }
        return try await store.application(number: number)
    }

    static let notFound = DomainError(.notFound, code: "application_not_found", title: "未找到该办件，请核对办件编号和身份证号码后六位",
                                      detail: "no such application for these details")

    static func status(_ text: String) throws(DomainError) -> ApplicationStatus {
        guard let status = ApplicationStatus(rawValue: text) else {
            throw DomainError.invalidParameter("status", "one of \(ApplicationStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }

    static func isIDSuffix(_ text: String) -> Bool {
        text.utf8.count == 6 && text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "X") || $0 == UInt8(ascii: "x") }
    }

    static func isTrackingNumber(_ text: String) -> Bool {
        (6...30).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}

extension ApplicationService {
    /// Today in China, by the service's clock (what "overdue" is judged against).
    public var today: LocalDate { LocalDate.today(at: now()) }
}
