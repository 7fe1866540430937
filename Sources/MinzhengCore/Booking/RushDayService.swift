import Foundation

/// Rush days, seen from the booking service: the waitlist of a full period or day, the fair draw of a
/// high-demand day, and the staff's live view.
extension BookingService {
    // MARK: Waitlist

    /// Joins the waitlist of a full period (`period`), or of the whole day (`period` "any"), under the rules of a
    /// booking for that day. The first freed place the couple may take is theirs, and the app is told.
    public func joinWaitlist(_ request: BookingRequest, for session: CitizenSession) async throws -> WaitlistEntry {
        let at = now()
        let today = LocalDate.today(at: at)
        let office = try registry(request.officeID)
        let service = try Self.service(request.service)
        guard service != .divorceCertificate else {
            throw DomainError.invalidParameter("service", "divorce certificates follow an accepted application: book them directly")
        }
        let date = try Self.date(request.date, "date")
        let anyPeriod = request.period == "any"
        let schedule = try await schedule(of: office.id)
        let period = anyPeriod ? (schedule.periods.first?.name ?? "") : request.period
        if !anyPeriod { try schedule.checkPeriod(period) }
        let applicants = try rules.checkApplicants(request.applicants, service: service, date: date, today: today)
        let sealed = try seal(applicants)
        try attemptLimit?.admit(session.owner, idHashes: sealed.map(\.idHash), at: at)
        let draft = WaitingDraft(id: BookingID.make(at: at), owner: session.owner, slot: SlotKey(officeID: office.id, date: date, period: period, service: service),
                                 anyPeriod: anyPeriod, preferences: [], applicants: sealed, coupleKey: FairDraw.coupleKey(sealed.map(\.idHash)),
                                 createdAt: at)
        return try await store.joinWaitlist(draft, defaultCapacity: defaultSchedule.capacity(for: service), noShowsSince: rules.noShowsSince(today),
                                            admit: admission(for: date, period: period, now: at))
    }

    public func waitlist(of session: CitizenSession) async throws -> [WaitlistEntry] {
        try await store.waitlist(owner: session.owner)
    }

    public func leaveWaitlist(_ id: String, of session: CitizenSession) async throws -> WaitlistEntry {
        try await store.leaveWaitlist(id: id, owner: session.owner, now: now())
    }

    // MARK: Fair draw

    /// Whether places of `date` at the office go by a draw: a provincial high-demand day, or one its staff marked.
    public func isHighDemand(officeID: Int64, date: LocalDate) async throws -> Bool {
        if HighDemandCalendar.isProvincialDefault(date) { return true }
        return try await store.isMarkedHighDemand(officeID: officeID, date: date)
    }

    /// Registers a couple for a high-demand day's draw, with their periods in order of preference. Open from seven
    /// days before the release until the release; one entry per couple and day.
    public func registerForDraw(officeID: Int64, date: String, preferences: [String], applicants input: [ApplicantInput],
                                for session: CitizenSession) async throws -> DrawEntry {
        let at = now()
        let today = LocalDate.today(at: at)
        let office = try registry(officeID)
        let day = try Self.date(date, "date")
        guard try await isHighDemand(officeID: office.id, date: day) else {
            throw DomainError(.conflict, code: "not_high_demand", title: "该日期无需摇号，请在放号后直接预约",
                              detail: "\(day) is not a high-demand day at this office: book it once released")
        }
        let schedule = try await schedule(of: office.id)
        let release = schedule.window.releaseAt(day)
        guard at < release, at >= release.addingTimeInterval(-Double(HighDemandCalendar.registrationDays) * 86_400) else {
            throw BookingErrors.registrationClosed
        }
        guard (1...schedule.periods.count).contains(preferences.count), Set(preferences).count == preferences.count else {
            throw DomainError.invalidParameter("preferences", "rank 1 to \(schedule.periods.count) different periods")
        }
        for period in preferences { try schedule.checkPeriod(period) }
        let applicants = try rules.checkApplicants(input, service: .marriage, date: day, today: today)
        let sealed = try seal(applicants)
        let calendar = calendar
        return try await store.registerForDraw(seed: FairDraw.makeSeed(), WaitingDraft(
            id: BookingID.make(at: at), owner: session.owner, slot: SlotKey(officeID: office.id, date: day, period: preferences[0], service: .marriage),
            anyPeriod: false, preferences: preferences, applicants: sealed, coupleKey: FairDraw.coupleKey(sealed.map(\.idHash)), createdAt: at),
            // A day the office does not work (closed by its staff, or a day off it has not opened) has no places to draw.
            admit: { override in
                guard Self.isWorking(day, override: override, calendar: calendar) else { throw BookingErrors.officeClosed }
            })
    }

    public func drawEntries(of session: CitizenSession) async throws -> [DrawEntry] {
        try await store.drawEntries(owner: session.owner)
    }

    /// Runs every draw whose release has come, each with the seed committed at its first registration;
    /// answers the draws it ran. A draw that fails does not hold up the others: they run, then the first failure
    /// is thrown (the runner logs it and tries again next time).
    @discardableResult
    public func runDueDraws() async throws -> [DrawRecord] {
        let at = now()
        var ran: [DrawRecord] = []
        var failure: (any Error)?
        for (officeID, date) in try await store.pendingDraws() {
            do {
                guard at >= (try await schedule(of: officeID)).window.releaseAt(date) else { continue }
                ran.append(try await store.runDraw(officeID: officeID, date: date, promotion: promotion(at: at)))
                officeChanged(officeID)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        return ran
    }

    /// A draw as published, for anyone to check: before it runs, the hash of its seed; after, the seed, the
    /// places and every entry in draw order.
    public func draw(officeID: Int64, date: String) async throws -> (seedHash: String, record: DrawRecord?) {
        let office = try registry(officeID)
        let day = try Self.date(date, "date")
        guard let seedHash = try await store.drawCommitment(officeID: office.id, date: day) else {
            throw DomainError.notFound("nobody has registered for a draw at this office on this day")
        }
        return (seedHash, try await store.draw(officeID: office.id, date: day))
    }

    /// Marks a day high-demand at an office (managers), before its registration opens.
    public func markHighDemand(officeID: Int64, date: String, by staff: StaffMember) async throws {
        guard staff.role >= .manager else {
            throw DomainError(.forbidden, code: "forbidden", title: "无权执行此操作", detail: "marking high-demand days needs the manager role")
        }
        let office = try registry(officeID, for: staff)
        let day = try Self.date(date, "date")
        let schedule = try await schedule(of: office.id)
        let opens = schedule.window.releaseAt(day).addingTimeInterval(-Double(HighDemandCalendar.registrationDays) * 86_400)
        guard now() < opens else {
            throw DomainError(.conflict, code: "too_late_to_mark", title: "该日期摇号登记已开始，不能再标记",
                              detail: "a day can be marked high-demand until its draw registration opens")
        }
        try await store.markHighDemand(officeID: office.id, date: day, audit: AuditRecord(
            staffID: staff.id, action: "office.high_demand", target: "office:\(office.id)", at: now(), after: Self.json(["date": day.description])))
    }

    /// Per period of a day: places, booked and waiting, for the office's staff on a rush day.
    public func liveView(officeID: Int64, date: String, service: String, by staff: StaffMember) async throws
        -> (days: DayAvailability, waiting: [String: Int], highDemand: Bool, draw: DrawRecord?) {
        let office = try registry(officeID, for: staff)
        let day = try Self.date(date, "date")
        let service = try Self.service(service)
        guard let usage = try await days(of: office, service: service, range: day...day).first else { throw DomainError.notFound("no such day") }
        return (usage, try await store.waitingCounts(officeID: office.id, date: day, service: service),
                try await isHighDemand(officeID: office.id, date: day), try await store.draw(officeID: office.id, date: day))
    }

    /// Applicants as stored: encrypted, hashed for the one-person rules (`idHashes` when already computed), masked.
    func seal(_ applicants: [Applicant], idHashes: [String]? = nil) throws -> [SealedApplicant] {
        try applicants.enumerated().map { index, applicant in
            SealedApplicant(name: try cipher.seal(applicant.name), idNumber: try cipher.seal(applicant.idNumber.value), phone: try cipher.seal(applicant.phone),
                            idHash: idHashes?[index] ?? cipher.lookupHash(applicant.idNumber.value), masked: MaskedApplicant(applicant))
        }
    }
}
