import Foundation

/// The booking use-cases: citizens' booking flow and staff's office management. Rules come from
/// `BookingRules`; every write goes through `BookingStore` in one transaction.
public struct BookingService: Sendable {
    public static let maxRangeDays = 62

    let store: any BookingStore
    let offices: any OfficeDirectory
    let calendar: WorkCalendar
    let cipher: PersonalDataCipher
    let rules: BookingRules
    /// The schedule of every office whose managers have not set their own.
    let defaultSchedule: OfficeSchedule
    let now: @Sendable () -> Date
    let fullSlots = FullSlotHints()
    let recentKeys = RecentIdempotencyKeys()
    let availabilityCache = AvailabilityCache()
    let schedules = OfficeScheduleCache()
    /// Booking attempts per citizen and per ID number (nil: unlimited, for load tests).
    let attemptLimit: BookingAttemptLimit?
    /// What the processes on a shared database change in the offices' places, heard here (nil: one process alone).
    let peers: (any OfficeChangeChannel)?
    /// Other processes book on the same database (PostgreSQL): the keys in `recentKeys` are then only this
    /// process's, and a retry of a booking made elsewhere is looked up in the store.
    var sharedDatabase: Bool { peers != nil }

    /// Loads the idempotency keys of the last day (see `RecentIdempotencyKeys`); call once at start.
    public func loadRecentKeys() async throws {
        recentKeys.load(try await store.idempotencyKeys(since: now().addingTimeInterval(-RecentIdempotencyKeys.retention)))
    }

    public init(store: any BookingStore, offices: any OfficeDirectory, calendar: WorkCalendar, cipher: PersonalDataCipher,
                rules: BookingRules = BookingRules(), defaultSchedule: OfficeSchedule = .standard,
                peers: (any OfficeChangeChannel)? = nil,
                attemptLimit: BookingAttemptLimit? = BookingAttemptLimit(), now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.peers = peers
        self.attemptLimit = attemptLimit
        self.offices = offices
        self.calendar = calendar
        self.cipher = cipher
        self.rules = rules
        self.defaultSchedule = defaultSchedule
        self.now = now
    }

    // MARK: Citizens

    public func availability(officeID: Int64, service: String, from: String, to: String) async throws -> [DayAvailability] {
        let office = try registry(officeID)
        let service = try Self.service(service)
        let range = try Self.dateRange(from: from, to: to)
        let at = now()
        let key = AvailabilityCache.Key(officeID: office.id, service: service, from: range.lowerBound, to: range.upperBound)
        if let known = availabilityCache.days(key, now: at) { return known }
        let days = try await days(of: office, service: service, range: range)
        availabilityCache.store(days, for: key, at: at)
        return days
    }

    public func book(_ request: BookingRequest, for session: CitizenSession, idempotencyKey: String?) async throws -> BookingCreation {
        let at = now()
        let today = LocalDate.today(at: at)
        let office = try registry(request.officeID)
        let service = try Self.service(request.service)
        let date = try Self.date(request.date, "date")
        let applicants = try rules.checkApplicants(request.applicants, service: service, date: date, today: today)
        if let key = idempotencyKey {
            guard (1...200).contains(key.count) else { throw DomainError.invalidParameter("Idempotency-Key", "must be 1 to 200 characters") }
        }
        let idHashes = applicants.map { cipher.lookupHash($0.idNumber.value) }  // also the stored hashes below
        let claim = idempotencyKey.map {
            IdempotencyClaim(owner: session.owner, key: $0, requestHash: cipher.lookupHash(Self.fingerprint(request, applicants)))
        }
        // A retry of a booking this process made is not a new attempt: the app must get its booking back.
        if claim.map(recentKeys.contains) != true { try attemptLimit?.admit(session.owner, idHashes: idHashes, at: at) }
        if service == .divorceCertificate {
            // A retry is answered before the check: its own booking now uses the application.
            if let claim, let earlier = try await store.replay(claim) { return .replayed(earlier) }
            try await checkCoolingOff(request.divorceApplicationID, idHashes: idHashes, date: date)
        } else if request.divorceApplicationID != nil {
            throw DomainError.invalidParameter("divorce_application_id", "only a divorce_certificate booking refers to an application")
        }
        // Checked inside the booking's transaction, against what is stored at that moment; an idempotent
        // retry is answered before these, so a retry after the window closed still gets its booking back.
        let admit = admission(for: date, period: request.period, now: at)

        let slot = SlotKey(officeID: office.id, date: date, period: request.period, service: service)
        if fullSlots.isFull(slot, now: at) {
            // A retry of a booking that got the period's last place must still get its booking back.
            if let claim, sharedDatabase || recentKeys.contains(claim), let earlier = try await store.replay(claim) { return .replayed(earlier) }
            throw BookingErrors.slotFull
        }
        let sealed = try seal(applicants, idHashes: idHashes)
        let hintEpoch = fullSlots.epoch
        for attempt in 1...3 {
            let booking = Booking(
                id: BookingID.make(at: at), code: CheckInCode.random(), owner: session.owner, slot: slot, status: .confirmed,
                applicants: sealed.map(\.masked), divorceApplicationID: request.divorceApplicationID, createdAt: at, updatedAt: at)
            let draft = BookingDraft(
                booking: booking, defaultCapacity: defaultSchedule.capacity(for: service), applicants: sealed, today: today,
                replayRecord: String(decoding: try JSONEncoder().encode(booking), as: UTF8.self))
            do {
                let created = try await store.create(draft, idempotency: claim, noShowsSince: rules.noShowsSince(today), admit: admit)
                if let claim { recentKeys.add(claim, at: at) }
                availabilityCache.officeChanged(office.id)
                return created
            } catch let error as DomainError where error == BookingErrors.codeTaken && attempt < 3 {
                continue  // two bookings drew the same check-in code: draw again
            } catch let error as DomainError where error == BookingErrors.slotFull {
                fullSlots.markFull(slot, now: at, seenAt: hintEpoch)
                throw error
            }
        }
        throw BookingErrors.codeTaken
    }

    public func bookings(of session: CitizenSession, page: PageRequest) async throws -> Page<Booking> {
        try await store.bookings(owner: session.owner, page: page)
    }

    /// A booking of this citizen; anyone else's is "not found".
    public func booking(_ id: String, of session: CitizenSession) async throws -> Booking {
        guard let booking = try await store.booking(id: id), booking.owner == session.owner else { throw BookingErrors.bookingNotFound(id) }
        return booking
    }

    public func cancel(_ id: String, of session: CitizenSession) async throws -> Booking {
        let at = now()
        let cancelled = try await store.cancel(id: id, owner: session.owner, now: at, today: LocalDate.today(at: at), promotion: promotion(at: at))
        placeFreed(cancelled.slot)
        return cancelled
    }

    public func reschedule(_ id: String, of session: CitizenSession, date: String, period: String) async throws -> Booking {
        let at = now()
        let today = LocalDate.today(at: at)
        let current = try await booking(id, of: session)
        guard current.status == .confirmed else { throw BookingErrors.notConfirmed }
        let office = try registry(current.slot.officeID)
        let day = try Self.date(date, "date")
        switch current.slot.service {
        case .marriage:
            // Ages are taken on the appointment day: a new day may come before a birthday.
            for sealed in try await store.sealedIDNumbers(bookingID: id) {
                try rules.checkMarriageAge(try IDNumber(try cipher.open(sealed), today: today), on: day)
            }
        case .divorceCertificate:
            guard let applicationID = current.divorceApplicationID,
                let accepted = try await store.acceptedDivorceApplication(
                    id: applicationID, idHashes: try await store.idHashes(bookingID: id), certificateID: id)
            else { throw BookingErrors.noAcceptedApplication }
            let window = rules.certificateWindow(acceptedOn: accepted, calendar: calendar)
            guard window.contains(day) else { throw BookingErrors.coolingOff(window) }
        case .divorceApplication, .reissue:
            break
        }
        let slot = SlotKey(officeID: office.id, date: day, period: period, service: current.slot.service)
        let moved = try await store.reschedule(
            id: id, owner: session.owner, to: slot, defaultCapacity: defaultSchedule.capacity(for: slot.service), now: at, today: today,
            noShowsSince: rules.noShowsSince(today), admit: admission(for: day, period: period, now: at), promotion: promotion(at: at))
        placeFreed(current.slot)
        return moved
    }

    /// The rules judged inside a booking's (or a move's) own transaction, against what is stored then:
    /// the office's periods and booking window, the office working that day, no-show bars.
    func admission(for date: LocalDate, period: String, now at: Date) -> @Sendable (BookingPreflight) throws -> Void {
        let (rules, calendar, defaultSchedule) = (rules, calendar, defaultSchedule)
        let today = LocalDate.today(at: at)
        return { known in
            let schedule = known.schedule ?? defaultSchedule
            try schedule.checkPeriod(period)
            try schedule.window.check(date, now: at)
            guard Self.isWorking(date, override: known.dayOverride, calendar: calendar) else { throw BookingErrors.officeClosed }
            if known.drawPending { throw BookingErrors.drawRequired }
            for days in known.noShows.values {
                if let until = rules.barredUntil(noShows: days), today < until { throw BookingErrors.barred(until: until) }
            }
        }
    }

    /// How freed places are given to waiting couples: the booking rules for the day and period, judged as
    /// for a booking made at `at`.
    func promotion(at: Date) -> Promotion {
        let today = LocalDate.today(at: at)
        return Promotion(now: at, today: today, noShowsSince: rules.noShowsSince(today)) { [self] date, period, known in
            try admission(for: date, period: period, now: at)(known)
        }
    }

    // MARK: Staff

    /// Booked and capacity per day and period, for any service, as the utilisation view shows it.
    public func utilisation(officeID: Int64, service: String, from: String, to: String, by staff: StaffMember) async throws -> [DayAvailability] {
        let office = try registry(officeID, for: staff)
        return try await days(of: office, service: try Self.service(service), range: try Self.dateRange(from: from, to: to))
    }

    /// Sets the capacity of one day (`date`) or of a range (`from`, `to`), for one period or, without `period`, all.
    public func setCapacity(officeID: Int64, date: String?, from: String?, to: String?, period: String?, service: String, capacity: Int,
                            by staff: StaffMember) async throws {
        let office = try registry(officeID, for: staff)
        let service = try Self.service(service)
        let range: ClosedRange<LocalDate>
        switch (date, from, to) {
        case (let day?, nil, nil): range = try Self.dateRange(from: day, to: day)
        case (nil, let start?, let end?): range = try Self.dateRange(from: start, to: end)
        default: throw DomainError.invalidParameter("date", "give either date, or from and to")
        }
        // A day gone by keeps the places it had: its utilisation is the record of what was offered.
        guard range.lowerBound >= LocalDate.today(at: now()) else { throw DomainError.invalidParameter("date", "must not be in the past") }
        guard (0...500).contains(capacity) else { throw DomainError.invalidParameter("capacity", "must be 0 to 500") }
        let schedule = try await store.officeSchedule(officeID: office.id) ?? defaultSchedule
        let periods: [String]
        if let period {
            try schedule.checkPeriod(period)
            periods = [period]
        } else {
            periods = schedule.periods.map(\.name)
        }
        let dates = (0...range.lowerBound.days(until: range.upperBound)).map { range.lowerBound.adding(days: $0) }
        let audit = AuditRecord(staffID: staff.id, action: "capacity.set", target: "office:\(office.id)", at: now(),
                                after: Self.json(["from": range.lowerBound.description, "to": range.upperBound.description,
                                                  "periods": periods.joined(separator: ","), "service": service.rawValue,
                                                  "capacity": String(capacity)]))
        try await store.setCapacity(officeID: office.id, dates: dates, periods: periods, service: service, capacity: capacity, audit: audit,
                                    promotion: promotion(at: audit.at))
        officeChanged(office.id)
    }

    public func closeDay(officeID: Int64, date: String, reason: String, by staff: StaffMember) async throws -> [Booking] {
        let office = try registry(officeID, for: staff)
        let day = try Self.date(date, "date")
        let reason = try Validate.reason(reason, length: 1...200)
        guard day >= LocalDate.today(at: now()) else { throw DomainError.invalidParameter("date", "must not be in the past") }
        let audit = AuditRecord(staffID: staff.id, action: "office.close", target: "office:\(office.id)", at: now(),
                                after: Self.json(["date": day.description, "reason": reason]))
        let cancelled = try await store.closeDay(officeID: office.id, date: day, reason: reason, audit: audit)
        officeChanged(office.id)
        return cancelled
    }

    public func openDay(officeID: Int64, date: String, reason: String, by staff: StaffMember) async throws {
        let office = try registry(officeID, for: staff)
        let day = try Self.date(date, "date")
        let reason = try Validate.reason(reason, length: 1...200)
        guard day >= LocalDate.today(at: now()) else { throw DomainError.invalidParameter("date", "must not be in the past") }
        let audit = AuditRecord(staffID: staff.id, action: "office.open", target: "office:\(office.id)", at: now(),
                                after: Self.json(["date": day.description, "reason": reason]))
        try await store.openDay(officeID: office.id, date: day, reason: reason, audit: audit, promotion: promotion(at: audit.at))
        officeChanged(office.id)
    }

    public func roster(officeID: Int64, date: String, by staff: StaffMember) async throws -> [Booking] {
        let office = try registry(officeID, for: staff)
        return try await store.roster(officeID: office.id, date: try Self.date(date, "date"))
    }

    /// Check-in (`.checkedIn`) or no-show (`.noShow`) by the booking's code, at an office of the staff member's division.
    public func finish(code: String, as status: BookingStatus, by staff: StaffMember) async throws -> Booking {
        let booking = try await booking(code: code, by: staff)
        guard booking.status == .confirmed else { throw BookingErrors.notConfirmed }
        let today = LocalDate.today(at: now())
        // A checked-in divorce application counts as accepted that day, so check-in happens on the day.
        if status == .checkedIn, booking.slot.date != today { throw BookingErrors.notToday }
        if status == .noShow, booking.slot.date > today {
            throw DomainError(.conflict, code: "too_early", title: "预约日期未到", detail: "a no-show can be recorded on or after the booking's day")
        }
        let audit = AuditRecord(staffID: staff.id, action: status == .checkedIn ? "booking.check_in" : "booking.no_show",
                                target: "booking:\(booking.id)", at: now(), before: Self.json(["status": booking.status.rawValue]),
                                after: Self.json(["status": status.rawValue]))
        return try await store.transition(id: booking.id, to: status, audit: audit)
    }

    /// The applicants' full names and ID numbers, for staff of the office's division who must see them (a
    /// registrar comparing papers, say). Every reveal is audited with its reason, and nothing else in the API
    /// ever shows an unmasked number.
    public func revealApplicants(code: String, reason: String, by staff: StaffMember) async throws
        -> (code: String, applicants: [(name: String, idNumber: String)]) {
        let reason = try Validate.reason(reason, length: 2...200)
        let booking = try await booking(code: code, by: staff)
        let audit = AuditRecord(staffID: staff.id, action: "booking.reveal", target: "booking:\(booking.id)", at: now(),
                                after: Self.json(["reason": reason]))
        let applicants = try await store.revealApplicants(bookingID: booking.id, audit: audit).map {
            (name: try cipher.open($0.name), idNumber: try cipher.open($0.idNumber))
        }
        return (booking.code, applicants)
    }

    /// The booking with check-in code `code` (any case), if its office is in the staff member's division;
    /// otherwise, as when there is none, `booking_not_found`.
    private func booking(code: String, by staff: StaffMember) async throws -> Booking {
        let code = code.uppercased()
        guard let booking = try await store.booking(code: code), let office = offices.registry(booking.slot.officeID),
            staff.mayManage(office.division)
        else { throw BookingErrors.bookingNotFound(code) }
        return booking
    }

    /// The office's periods, default capacities and booking window, as a manager sees them.
    public func schedule(officeID: Int64, by staff: StaffMember) async throws -> OfficeSchedule {
        let office = try registry(officeID, for: staff)
        return try await store.officeSchedule(officeID: office.id) ?? defaultSchedule
    }

    /// Replaces the office's schedule. New default capacities apply to periods nobody has booked or set yet;
    /// a period may be dropped only when no confirmed booking from today on uses it (`period_in_use`).
    public func setSchedule(officeID: Int64, periods: [String], defaultCapacity: [MarriageService: Int], window: BookingWindow,
                            by staff: StaffMember) async throws -> OfficeSchedule {
        let office = try registry(officeID, for: staff)
        let schedule = try OfficeSchedule.validated(periods: periods, defaultCapacity: defaultCapacity, window: window)
        let before = try await store.officeSchedule(officeID: office.id) ?? defaultSchedule
        let at = now()
        let audit = AuditRecord(staffID: staff.id, action: "office.schedule", target: "office:\(office.id)", at: at,
                                before: Self.json(before.auditFields), after: Self.json(schedule.auditFields))
        try await store.setOfficeSchedule(officeID: office.id, schedule, from: LocalDate.today(at: at), audit: audit, promotion: promotion(at: at))
        officeChanged(office.id)
        return schedule
    }

    // MARK: Helpers

    /// The office's schedule for showing a booking's times: read at most every few seconds per office.
    public func schedule(of officeID: Int64) async throws -> OfficeSchedule {
        if let known = schedules.schedule(officeID, now: now()) { return known }
        let schedule = try await store.officeSchedule(officeID: officeID) ?? defaultSchedule
        schedules.store(schedule, for: officeID, at: now())
        return schedule
    }

    /// Staff changed the office's days, capacities or schedule, or (heard) another process changed its places: what
    /// this process remembers of it is stale. The other processes hear of changed places from the database (`hearPeers`).
    func officeChanged(_ officeID: Int64) {
        fullSlots.officeChanged(officeID)
        availabilityCache.officeChanged(officeID)
        schedules.officeChanged(officeID)
    }

    /// A booking left `slot`: the place is offered again here at once.
    func placeFreed(_ slot: SlotKey) {
        fullSlots.placeFreed(slot)
        availabilityCache.officeChanged(slot.officeID)
    }

    /// Hears the changes to places on the shared database (see `OfficeChangeChannel`) until cancelled or it fails;
    /// returns at once without peers. Full periods are believed longer while every change is heard.
    public func hearPeers() async throws {
        guard let peers else { return }
        defer { fullSlots.everyChangeHeard(false) }
        try await peers.listen(heard: { [self] in heard($0) }, listening: { [fullSlots] in fullSlots.everyChangeHeard($0) })
    }

    func heard(_ change: OfficeChange) {
        switch change {
        case .changed(let officeID):
            officeChanged(officeID)
        case .filled(let slot):
            // Heard in commit order: a place freed after this fill is heard after it, and drops the hint again.
            fullSlots.markFull(slot, now: now(), seenAt: fullSlots.epoch)
        }
    }

    func registry(_ id: Int64) throws(DomainError) -> RegistryOffice {
        guard let office = offices.registry(id) else { throw BookingErrors.officeNotFound(id) }
        return office
    }

    /// An office the staff member may act on; any other is "not found".
    func registry(_ id: Int64, for staff: StaffMember) throws(DomainError) -> RegistryOffice {
        let office = try registry(id)
        guard staff.mayManage(office.division) else { throw BookingErrors.officeNotFound(id) }
        return office
    }

    private func isWorking(_ date: LocalDate, override: OfficeDayOverride?) -> Bool {
        Self.isWorking(date, override: override, calendar: calendar)
    }

    static func isWorking(_ date: LocalDate, override: OfficeDayOverride?, calendar: WorkCalendar) -> Bool {
        switch override {
        case .closed: false
        case .open: true
        case nil: calendar.isWorkingDay(date)
        }
    }

    func days(of office: RegistryOffice, service: MarriageService, range: ClosedRange<LocalDate>) async throws -> [DayAvailability] {
        let at = now()
        let known = try await store.officeCalendar(officeID: office.id, from: range.lowerBound, to: range.upperBound)
        let (used, exceptions) = (known.usage, known.overrides)
        let schedule = known.schedule ?? defaultSchedule
        return (0...range.lowerBound.days(until: range.upperBound)).map { offset in
            let date = range.lowerBound.adding(days: offset)
            let works = isWorking(date, override: exceptions[date])
            let slots = used[date] ?? []
            let periods = schedule.periods.map { period in
                let slot = slots.first { $0.period == period.name && $0.service == service }
                return DayAvailability.PeriodAvailability(
                    period: period, capacity: works ? slot?.capacity ?? schedule.capacity(for: service) : 0, booked: slot?.booked ?? 0)
            }
            let release = schedule.window.releaseAt(date)
            return DayAvailability(date: date, open: works && schedule.window.contains(date, now: at), officeWorks: works, periods: periods,
                                   releaseAt: at < release ? release : nil)
        }
    }

    private func checkCoolingOff(_ applicationID: String?, idHashes: [String], date: LocalDate) async throws {
        guard let applicationID,
            let accepted = try await store.acceptedDivorceApplication(id: applicationID, idHashes: Set(idHashes), certificateID: nil)
        else {
            throw BookingErrors.noAcceptedApplication
        }
        let window = rules.certificateWindow(acceptedOn: accepted, calendar: calendar)
        guard window.contains(date) else { throw BookingErrors.coolingOff(window) }
    }

    static func service(_ text: String) throws(DomainError) -> MarriageService {
        guard let service = MarriageService(rawValue: text) else {
            throw .invalidParameter("service", "must be one of \(MarriageService.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return service
    }

    static func date(_ text: String, _ name: String) throws(DomainError) -> LocalDate {
        guard let date = LocalDate(iso: text) else { throw .invalidParameter(name, "must be a date YYYY-MM-DD") }
        return date
    }

    static func dateRange(from: String, to: String) throws(DomainError) -> ClosedRange<LocalDate> {
        let start = try date(from, "from"), end = try date(to, "to")
        guard start <= end else { throw .invalidParameter("to", "must not be before from") }
        guard start.days(until: end) < maxRangeDays else { throw .invalidParameter("to", "at most \(maxRangeDays) days after from") }
        return start...end
    }

    /// What makes two booking requests "the same" for an idempotency key.
    static func fingerprint(_ request: BookingRequest, _ applicants: [Applicant]) -> String {
        ([String(request.officeID), request.date, request.period, request.service, request.divorceApplicationID ?? ""]
            + applicants.flatMap { [$0.name, $0.idNumber.value, $0.phone] }).joined(separator: "\u{1F}")
    }

    static func json(_ fields: [String: String]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
