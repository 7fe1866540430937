import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Waitlists and fair draws. A freed place goes to the first waiting couple the rules allow, inside the
/// transaction that frees it, through the same conditional `UPDATE slots ... WHERE booked < capacity` as any
/// booking: no path around it, so none can overbook. A day's queue is read and changed under the day's lock, so
/// two promotions never pick the same couple and nobody joins a queue as the place they would wait for is freed.
extension PostgresBookingStore {
    // MARK: Waitlist

    public func joinWaitlist(_ draft: WaitingDraft, defaultCapacity: Int, noShowsSince: LocalDate,
                             admit: @escaping @Sendable (BookingPreflight) throws -> Void) async throws -> WaitlistEntry {
        let slot = draft.slot
        return try await transaction { connection in
            try await lockOffice(connection, slot.officeID, exclusive: false)
            try await lockDay(connection, slot.officeID, slot.date)
            let known = try await preflight(connection, officeID: slot.officeID, date: slot.date, service: slot.service,
                                            idHashes: draft.applicants.map(\.idHash), noShowsSince: noShowsSince)
            try admit(known)
            let open = try await periodsWithRoom(connection, slot.officeID, slot.date, slot.service, schedule: known.schedule ?? standardSchedule)
            if draft.anyPeriod ? !open.isEmpty : open.contains(slot.period) { throw BookingErrors.waitlistNotNeeded }
            var active = 0
            for try await count in try await connection.query("""
                SELECT count(*) FROM booking_applicants
                WHERE id_hash = ANY(\(draft.applicants.map(\.idHash))) AND active AND booking_date >= \(LocalDate.today(at: draft.createdAt).description)
                """, logger: logger).decode(Int.self) {
                active = count
            }
            guard active == 0 else { throw BookingErrors.activeBookingExists }
            try await insertWaiting(connection, id: draft.id, owner: draft.owner, slot: slot, period: draft.anyPeriod ? nil : slot.period,
                                    at: draft.createdAt, applicants: draft.applicants)
            let entries = try await waitlistEntries(connection, "SELECT \(unescaped: Self.waitlistColumns) FROM waitlist_entries WHERE id = \(draft.id)")
            guard let entry = entries.first else { throw BookingErrors.bookingNotFound(draft.id) }
            return entry
        }
    }

    public func waitlist(owner: BookingOwner) async throws -> [WaitlistEntry] {
        try await read { connection in
            try await waitlistEntries(connection, """
                SELECT \(unescaped: Self.waitlistColumns) FROM waitlist_entries
                WHERE client_id = \(owner.clientID) AND subject = \(owner.subject) ORDER BY position
                """)
        }
    }

    public func leaveWaitlist(id: String, owner: BookingOwner, now: Date) async throws -> WaitlistEntry {
        try await transaction { connection in
            // Under the day's lock: a promotion that already picked this couple finishes first, and leaving finds them promoted.
            var day: (officeID: Int64, date: String)?
            for try await (officeID, date) in try await connection.query("SELECT office_id, date FROM waitlist_entries WHERE id = \(id)", logger: logger)
                .decode((Int64, String).self) {
                day = (officeID, date)
            }
            if let day, let date = LocalDate(iso: day.date) {
                try await lockOffice(connection, day.officeID, exclusive: false)
                try await lockDay(connection, day.officeID, date)
            }
            guard var entry = try await waitlistEntries(connection, "SELECT \(unescaped: Self.waitlistColumns) FROM waitlist_entries WHERE id = \(id)")
                .first, entry.owner == owner
            else { throw DomainError.notFound("no waitlist entry \(id)") }
            guard entry.status == .waiting else { return entry }
            try await endWaiting(connection, id: id, status: .left, note: nil, bookingID: nil, at: now)
            entry.status = .left
            entry.ahead = nil
            return entry
        }
    }

    public func waitingCounts(officeID: Int64, date: LocalDate, service: MarriageService) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for try await (period, count) in try await client.query("""
            SELECT COALESCE(period, ''), count(*) FROM waitlist_entries
            WHERE office_id = \(officeID) AND date = \(date.description) AND service = \(service.rawValue) AND status = 'waiting' GROUP BY 1
            """, logger: logger).decode((String, Int).self) {
            counts[period] = count
        }
        return counts
    }

    /// Gives the day's free places to waiting couples, first come first served, each under every booking rule;
    /// one the rules refuse is passed over (and told why) for the next. The caller holds the day's lock (or the
    /// office's exclusive one).
    func promote(_ connection: PostgresConnection, officeID: Int64, date: LocalDate, service: MarriageService, _ promotion: Promotion) async throws {
        guard date > promotion.today else { return }
        let schedule = try await officeSchedule(connection, officeID: officeID) ?? standardSchedule
        while true {
            let open = try await periodsWithRoom(connection, officeID, date, service, schedule: schedule)
            guard !open.isEmpty else { return }
            // The first waiting couple who may take one of the open periods: theirs, any, or (from a draw) their
            // best-ranked open one. Leaving the loop early drains the rest of the rows.
            var first: (id: String, owner: BookingOwner, period: String)?
            for try await (id, clientID, subject, own, preferences) in try await connection.query("""
                SELECT id, client_id, subject, period, preferences FROM waitlist_entries
                WHERE office_id = \(officeID) AND date = \(date.description) AND service = \(service.rawValue) AND status = 'waiting'
                  AND (period IS NULL OR period = ANY(\(open)))
                ORDER BY position
                """, logger: logger).decode((String, Int64, String, String?, String?).self) {
                let ranked = preferences?.split(separator: ",").map(String.init)
                let fit: String? = if let own { own } else if let ranked { ranked.first(where: open.contains) } else { open.first }
                if let fit {
                    first = (id, BookingOwner(clientID: clientID, subject: subject), fit)
                    break
                }
            }
            guard let next = first else { return }
            let slot = SlotKey(officeID: officeID, date: date, period: next.period, service: service)
            let applicants = try await storedApplicants(connection, .waitlist, entryID: next.id)
            do {
                let booking = try await bookFromQueue(connection, owner: next.owner, slot: slot, applicants: applicants, source: "waitlist",
                                                      promotion: promotion, schedule: schedule)
                try await endWaiting(connection, id: next.id, status: .promoted, note: nil, bookingID: booking.id, at: promotion.now)
            } catch let error as DomainError where error == BookingErrors.slotFull {
                // A direct booking (which holds only the office's shared lock) took that period meanwhile: read the
                // open periods again; the couple keeps its place in the queue.
                continue
            } catch let error as DomainError {
                try await endWaiting(connection, id: next.id, status: .skipped, note: error.code, bookingID: nil, at: promotion.now)
            }
        }
    }

    // MARK: Draw

    public func markHighDemand(officeID: Int64, date: LocalDate, audit: AuditRecord) async throws {
        try await transaction { connection in
            try await connection.query("""
                INSERT INTO high_demand_dates (office_id, date, marked_by, marked_at)
                VALUES (\(officeID), \(date.description), \(audit.staffID), \(audit.at.timeIntervalSince1970))
                ON CONFLICT (office_id, date) DO NOTHING
                """, logger: logger)
            try await PostgresAudit.append(connection, audit, logger: logger)
        }
    }

    public func isMarkedHighDemand(officeID: Int64, date: LocalDate) async throws -> Bool {
        for try await marked in try await client.query("""
            SELECT EXISTS (SELECT 1 FROM high_demand_dates WHERE office_id = \(officeID) AND date = \(date.description))
            """, logger: logger).decode(Bool.self) {
            return marked
        }
        return false
    }

    public func registerForDraw(seed: String, _ draft: WaitingDraft,
                                admit: @escaping @Sendable (OfficeDayOverride?) throws -> Void) async throws -> DrawEntry {
        let slot = draft.slot
        return try await transaction { connection in
            try await lockOffice(connection, slot.officeID, exclusive: false)
            // Checked under the day's lock, which the draw holds: a registration that arrives as the draw runs is
            // too late, not left behind.
            try await lockDay(connection, slot.officeID, slot.date)
            var drawn = false
            for try await _ in try await connection.query(
                "SELECT 1 FROM draws WHERE office_id = \(slot.officeID) AND date = \(slot.date.description)", logger: logger).decode(Int.self) {
                drawn = true
            }
            guard !drawn else { throw BookingErrors.registrationClosed }
            // Under the office's lock, which closing a day takes exclusively.
            try admit(try await dayOverride(connection, officeID: slot.officeID, date: slot.date))
            try await connection.query("""
                INSERT INTO draw_seeds (office_id, date, seed, seed_hash, committed_at)
                VALUES (\(slot.officeID), \(slot.date.description), \(seed), \(FairDraw.commitment(seed)), \(draft.createdAt.timeIntervalSince1970))
                ON CONFLICT (office_id, date) DO NOTHING
                """, logger: logger)
            do {
                try await connection.query("""
                    INSERT INTO draw_entries (id, client_id, subject, office_id, date, service, couple_key, preferences, status, created_at)
                    VALUES (\(draft.id), \(draft.owner.clientID), \(draft.owner.subject), \(slot.officeID), \(slot.date.description),
                            \(slot.service.rawValue), \(draft.coupleKey), \(draft.preferences.joined(separator: ",")), 'registered',
                            \(draft.createdAt.timeIntervalSince1970))
                    """, logger: logger)
                try await insertApplicants(connection, .draw, entryID: draft.id, draft.applicants, date: slot.date)
            } catch where error.sqlState == "23505" {
                throw BookingErrors.alreadyRegistered
            }
            guard let entry = try await drawEntries(connection, "SELECT \(unescaped: Self.drawColumns) FROM draw_entries WHERE id = \(draft.id)").first
            else { throw BookingErrors.bookingNotFound(draft.id) }
            return entry
        }
    }

    public func drawEntries(owner: BookingOwner) async throws -> [DrawEntry] {
        try await read { connection in
            try await drawEntries(connection, """
                SELECT \(unescaped: Self.drawColumns) FROM draw_entries WHERE client_id = \(owner.clientID) AND subject = \(owner.subject)
                ORDER BY created_at, id
                """)
        }
    }

    public func pendingDraws() async throws -> [(officeID: Int64, date: LocalDate)] {
        var pending: [(officeID: Int64, date: LocalDate)] = []
        for try await (officeID, day) in try await client.query("""
            SELECT DISTINCT e.office_id, e.date FROM draw_entries e
            WHERE e.status = 'registered' AND NOT EXISTS (SELECT 1 FROM draws d WHERE d.office_id = e.office_id AND d.date = e.date)
            ORDER BY e.date, e.office_id
            """, logger: logger).decode((Int64, String).self) {
            if let date = LocalDate(iso: day) { pending.append((officeID, date)) }
        }
        return pending
    }

    public func runDraw(officeID: Int64, date: LocalDate, promotion: Promotion) async throws -> DrawRecord {
        try await transaction { connection in
            try await lockOffice(connection, officeID, exclusive: false)
            // One draw of a day at a time (a second process finds the first one's record), and no registration or
            // promotion of the day meanwhile.
            try await lockDay(connection, officeID, date)
            if let done = try await drawRecord(connection, officeID: officeID, date: date) { return done }
            var committed: String?
            for try await value in try await connection.query(
                "SELECT seed FROM draw_seeds WHERE office_id = \(officeID) AND date = \(date.description)", logger: logger).decode(String.self) {
                committed = value
            }
            // Only the seed committed before anyone could see the entries: never one made up now.
            guard let seed = committed else { throw PostgresDatabaseError("no committed seed for the draw of office \(officeID) on \(date)") }
            let schedule = try await officeSchedule(connection, officeID: officeID) ?? standardSchedule
            var used: [String: (capacity: Int, booked: Int)] = [:]
            for try await (period, capacity, booked) in try await connection.query("""
                SELECT period, capacity, booked FROM slots WHERE office_id = \(officeID) AND date = \(date.description) AND service = 'marriage'
                """, logger: logger).decode((String, Int, Int).self) {
                used[period] = (capacity, booked)
            }
            var places: [String: Int] = [:]
            for period in schedule.periods.map(\.name) {
                let (capacity, booked) = used[period] ?? (schedule.capacity(for: .marriage), 0)
                places[period] = max(0, capacity - booked)
            }
            var registered: [String: (owner: BookingOwner, preferences: [String])] = [:]
            for try await (id, clientID, subject, preferences) in try await connection.query("""
                SELECT id, client_id, subject, preferences FROM draw_entries
                WHERE office_id = \(officeID) AND date = \(date.description) AND status = 'registered'
                """, logger: logger).decode((String, Int64, String, String).self) {
                registered[id] = (BookingOwner(clientID: clientID, subject: subject), preferences.split(separator: ",").map(String.init))
            }
            // No longer "registered" while the draw books them: the booking rules must not wait for this very draw.
            try await connection.query("""
                UPDATE draw_entries SET status = 'waitlisted' WHERE office_id = \(officeID) AND date = \(date.description) AND status = 'registered'
                """, logger: logger)
            var left = places
            // A day its office closed after they registered: nobody is booked or put on its waitlist.
            let closed = try await dayOverride(connection, officeID: officeID, date: date) == .closed
            for (index, id) in FairDraw.order(Array(registered.keys), seed: seed).enumerated() {
                guard let (owner, preferences) = registered[id] else { continue }
                let applicants = try await storedApplicants(connection, .draw, entryID: id)
                var outcome: (status: DrawEntry.Status, period: String?, booking: String?, note: String?) = (.waitlisted, nil, nil, nil)
                if closed { outcome = (.ineligible, nil, nil, BookingErrors.officeClosed.code) }
                for period in preferences where !closed && left[period, default: 0] > 0 {
                    do {
                        let booking = try await bookFromQueue(connection, owner: owner,
                                                              slot: SlotKey(officeID: officeID, date: date, period: period, service: .marriage),
                                                              applicants: applicants, source: "draw", promotion: promotion, schedule: schedule,
                                                              notingNearlyFull: false)
                        left[period, default: 0] -= 1
                        outcome = (.won, period, booking.id, nil)
                    } catch let error as DomainError where error == BookingErrors.slotFull {
                        left[period] = 0
                        continue
                    } catch let error as DomainError {
                        outcome = (.ineligible, nil, nil, error.code)
                    }
                    break
                }
                if outcome.status == .waitlisted {
                    // In draw order, for any period of the day: the queue the next freed place goes to.
                    do {
                        try await savepoint(connection) {
                            try await insertWaiting(connection, id: BookingID.make(at: promotion.now), owner: owner,
                                                    slot: SlotKey(officeID: officeID, date: date, period: preferences.first ?? "", service: .marriage),
                                                    period: nil, preferences: preferences, at: promotion.now, applicants: applicants)
                        }
                    } catch let error as DomainError {
                        outcome = (.ineligible, nil, nil, error.code)
                    }
                }
                try await connection.query("""
                    UPDATE draw_entries SET status = \(outcome.status.rawValue), rank = \(index + 1), period = \(outcome.period),
                                            booking_id = \(outcome.booking), note = \(outcome.note)
                    WHERE id = \(id)
                    """, logger: logger)
            }
            // The day's nearly-full notice, judged once after every winner is booked (not once per winner).
            try await PostgresOutbox.noteIfNearlyFull(connection, SlotKey(officeID: officeID, date: date, period: "", service: .marriage),
                                                      schedule: schedule, policy: policy, at: promotion.now, logger: logger)
            try await connection.query("""
                INSERT INTO draws (office_id, date, seed, drawn_at, places)
                VALUES (\(officeID), \(date.description), \(seed), \(promotion.now.timeIntervalSince1970), \(NotifyPolicy.encode(places)))
                """, logger: logger)
            guard let record = try await drawRecord(connection, officeID: officeID, date: date) else { throw PostgresDatabaseError("draw not stored") }
            return record
        }
    }

    public func drawCommitment(officeID: Int64, date: LocalDate) async throws -> String? {
        for try await hash in try await client.query(
            "SELECT seed_hash FROM draw_seeds WHERE office_id = \(officeID) AND date = \(date.description)", logger: logger).decode(String.self) {
            return hash
        }
        return nil
    }

    public func draw(officeID: Int64, date: LocalDate) async throws -> DrawRecord? {
        try await read { connection in try await drawRecord(connection, officeID: officeID, date: date) }
    }

    // MARK: Rows

    /// Where a queue keeps its applicants.
    enum QueueTable: String {
        case waitlist = "waitlist_applicants"
        case draw = "draw_applicants"
    }

    /// Makes a booking for a couple from a queue (waitlist or draw), judged like any booking, inside a savepoint:
    /// a refusal leaves nothing behind.
    func bookFromQueue(_ connection: PostgresConnection, owner: BookingOwner, slot: SlotKey, applicants: [SealedApplicant], source: String,
                       promotion: Promotion, schedule: OfficeSchedule, notingNearlyFull: Bool = true) async throws -> Booking {
        try await savepoint(connection) { () -> Booking in
            let known = try await preflight(connection, officeID: slot.officeID, date: slot.date, service: slot.service,
                                            idHashes: applicants.map(\.idHash), noShowsSince: promotion.noShowsSince)
            try promotion.admit(slot.date, slot.period, known)
            try await take(connection, slot, defaultCapacity: schedule.capacity(for: slot.service))
            let booking = Booking(id: BookingID.make(at: promotion.now), code: CheckInCode.random(), owner: owner, slot: slot, status: .confirmed,
                                  applicants: applicants.map(\.masked), divorceApplicationID: nil, createdAt: promotion.now, updatedAt: promotion.now)
            try await insertConfirmed(connection, booking, applicants: applicants, today: promotion.today, source: source, schedule: schedule,
                                      notingNearlyFull: notingNearlyFull)
            return booking
        }
    }

    /// The schedule's periods that still have a place (periods without a slot row have the schedule's capacity).
    func periodsWithRoom(_ connection: PostgresConnection, _ officeID: Int64, _ date: LocalDate, _ service: MarriageService,
                         schedule: OfficeSchedule) async throws -> [String] {
        var used: [String: (capacity: Int, booked: Int)] = [:]
        for try await (period, capacity, booked) in try await connection.query("""
            SELECT period, capacity, booked FROM slots WHERE office_id = \(officeID) AND date = \(date.description) AND service = \(service.rawValue)
            """, logger: logger).decode((String, Int, Int).self) {
            used[period] = (capacity, booked)
        }
        return schedule.periods.map(\.name).filter { period in
            let (capacity, booked) = used[period] ?? (schedule.capacity(for: service), 0)
            return booked < capacity
        }
    }

    func insertWaiting(_ connection: PostgresConnection, id: String, owner: BookingOwner, slot: SlotKey, period: String?,
                       preferences: [String]? = nil, at: Date, applicants: [SealedApplicant]) async throws {
        try await connection.query("""
            INSERT INTO waitlist_entries (id, client_id, subject, office_id, date, period, preferences, service, status, created_at, updated_at)
            VALUES (\(id), \(owner.clientID), \(owner.subject), \(slot.officeID), \(slot.date.description), \(period),
                    \(preferences?.joined(separator: ",")), \(slot.service.rawValue), 'waiting', \(at.timeIntervalSince1970), \(at.timeIntervalSince1970))
            """, logger: logger)
        do {
            try await insertApplicants(connection, .waitlist, entryID: id, applicants, date: slot.date)
        } catch where error.sqlState == "23505" {
            throw BookingErrors.alreadyWaiting
        }
    }

    /// Waitlists mark their applicants waiting; draws key theirs by day (one entry per person and day).
    func insertApplicants(_ connection: PostgresConnection, _ table: QueueTable, entryID: String, _ applicants: [SealedApplicant],
                          date: LocalDate) async throws {
        for (position, applicant) in Self.inHashOrder(applicants) {
            switch table {
            case .waitlist:
                try await connection.query("""
                    INSERT INTO waitlist_applicants (entry_id, position, id_hash, waiting, name_sealed, id_sealed, phone_sealed,
                                                     name_masked, id_masked, phone_masked)
                    VALUES (\(entryID), \(position), \(applicant.idHash), true, \(applicant.name), \(applicant.idNumber), \(applicant.phone),
                            \(applicant.masked.name), \(applicant.masked.idNumber), \(applicant.masked.phone))
                    """, logger: logger)
            case .draw:
                try await connection.query("""
                    INSERT INTO draw_applicants (entry_id, position, date, id_hash, name_sealed, id_sealed, phone_sealed,
                                                 name_masked, id_masked, phone_masked)
                    VALUES (\(entryID), \(position), \(date.description), \(applicant.idHash), \(applicant.name), \(applicant.idNumber),
                            \(applicant.phone), \(applicant.masked.name), \(applicant.masked.idNumber), \(applicant.masked.phone))
                    """, logger: logger)
            }
        }
    }

    func storedApplicants(_ connection: PostgresConnection, _ table: QueueTable, entryID: String) async throws -> [SealedApplicant] {
        var applicants: [SealedApplicant] = []
        for try await (idHash, name, idNumber, phone, maskedName, maskedID, maskedPhone) in try await connection.query("""
            SELECT id_hash, name_sealed, id_sealed, phone_sealed, name_masked, id_masked, phone_masked
            FROM \(unescaped: table.rawValue) WHERE entry_id = \(entryID) ORDER BY position
            """, logger: logger).decode((String, Data, Data, Data, String, String, String).self) {
            applicants.append(SealedApplicant(name: name, idNumber: idNumber, phone: phone, idHash: idHash,
                                              masked: MaskedApplicant(name: maskedName, idNumber: maskedID, phone: maskedPhone)))
        }
        return applicants
    }

    /// The office's exception to the calendar on `date`, if it has one (the booking path reads it in its preflight).
    func dayOverride(_ connection: PostgresConnection, officeID: Int64, date: LocalDate) async throws -> OfficeDayOverride? {
        for try await kind in try await connection.query(
            "SELECT kind FROM office_days WHERE office_id = \(officeID) AND date = \(date.description)", logger: logger).decode(String.self) {
            return OfficeDayOverride(rawValue: kind)
        }
        return nil
    }

    func endWaiting(_ connection: PostgresConnection, id: String, status: WaitlistEntry.Status, note: String?, bookingID: String?,
                    at: Date) async throws {
        try await connection.query("""
            UPDATE waitlist_entries SET status = \(status.rawValue), note = \(note), booking_id = \(bookingID), updated_at = \(at.timeIntervalSince1970)
            WHERE id = \(id)
            """, logger: logger)
        try await connection.query("UPDATE waitlist_applicants SET waiting = false WHERE entry_id = \(id)", logger: logger)
    }

    static let waitlistColumns = "position, id, client_id, subject, office_id, date, period, service, status, booking_id, note, created_at"

    /// The entries `query` selects (`waitlistColumns`); rows this build cannot read are left out.
    func waitlistEntries(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [WaitlistEntry] {
        let rows = try await connection.query(query, logger: logger).collect().map {
            try $0.decode((Int64, String, Int64, String, Int64, String, String?, String, String, String?, String?, Double).self)
        }
        var entries: [WaitlistEntry] = []
        for (position, id, clientID, subject, officeID, day, period, serviceName, statusName, bookingID, note, createdAt) in rows {
            guard let date = LocalDate(iso: day), let service = MarriageService(rawValue: serviceName),
                let status = WaitlistEntry.Status(rawValue: statusName)
            else { continue }
            var ahead: Int?
            if status == .waiting {
                // Those before it who could take the same place: the same period, or any period.
                for try await count in try await connection.query("""
                    SELECT count(*) FROM waitlist_entries
                    WHERE office_id = \(officeID) AND date = \(day) AND service = \(serviceName) AND status = 'waiting'
                      AND position < \(position) AND (\(period)::text IS NULL OR period IS NULL OR period = \(period))
                    """, logger: logger).decode(Int.self) {
                    ahead = count
                }
            }
            entries.append(WaitlistEntry(id: id, owner: BookingOwner(clientID: clientID, subject: subject), officeID: officeID, date: date,
                                         period: period, service: service, status: status, bookingID: bookingID, note: note, ahead: ahead,
                                         applicants: try await storedApplicants(connection, .waitlist, entryID: id).map(\.masked),
                                         createdAt: Date(timeIntervalSince1970: createdAt)))
        }
        return entries
    }

    static let drawColumns = "id, client_id, subject, office_id, date, preferences, status, rank, period, booking_id, note, created_at"

    /// The entries `query` selects (`drawColumns`); rows this build cannot read are left out.
    func drawEntries(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [DrawEntry] {
        let rows = try await connection.query(query, logger: logger).collect().map {
            try $0.decode((String, Int64, String, Int64, String, String, String, Int?, String?, String?, String?, Double).self)
        }
        var entries: [DrawEntry] = []
        for (id, clientID, subject, officeID, day, preferences, statusName, rank, period, bookingID, note, createdAt) in rows {
            guard let date = LocalDate(iso: day), let status = DrawEntry.Status(rawValue: statusName) else { continue }
            entries.append(DrawEntry(id: id, owner: BookingOwner(clientID: clientID, subject: subject), officeID: officeID, date: date,
                                     preferences: preferences.split(separator: ",").map(String.init), status: status, rank: rank, period: period,
                                     bookingID: bookingID, note: note,
                                     applicants: try await storedApplicants(connection, .draw, entryID: id).map(\.masked),
                                     createdAt: Date(timeIntervalSince1970: createdAt)))
        }
        return entries
    }

    func drawRecord(_ connection: PostgresConnection, officeID: Int64, date: LocalDate) async throws -> DrawRecord? {
        var stored: (seed: String, drawnAt: Double, places: String)?
        for try await (seed, drawnAt, places) in try await connection.query(
            "SELECT seed, drawn_at, places FROM draws WHERE office_id = \(officeID) AND date = \(date.description)", logger: logger)
            .decode((String, Double, String).self) {
            stored = (seed, drawnAt, places)
        }
        guard let found = stored else { return nil }
        let places = (try? JSONDecoder().decode([String: Int].self, from: Data(found.places.utf8))) ?? [:]
        var entries: [(id: String, preferences: [String], period: String?, eligible: Bool)] = []
        for try await (id, preferences, period, status) in try await connection.query("""
            SELECT id, preferences, period, status FROM draw_entries WHERE office_id = \(officeID) AND date = \(date.description) AND rank IS NOT NULL
            ORDER BY rank
            """, logger: logger).decode((String, String, String?, String).self) {
            entries.append((id, preferences.split(separator: ",").map(String.init), period, status != DrawEntry.Status.ineligible.rawValue))
        }
        return DrawRecord(officeID: officeID, date: date, seed: found.seed, drawnAt: Date(timeIntervalSince1970: found.drawnAt), places: places,
                          entries: entries)
    }
}
