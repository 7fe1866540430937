import Foundation
import GRDB
import MinzhengCore

/// Waitlists and fair draws. A freed place goes to the first waiting couple the rules allow, inside the
/// transaction that frees it, through the same conditional `UPDATE slots ... WHERE booked < capacity` as any
/// booking: no path around it, so none can overbook.
extension SQLiteBookingStore {
    // MARK: Waitlist

    public func joinWaitlist(_ draft: WaitingDraft, defaultCapacity: Int, noShowsSince: LocalDate,
                             admit: @escaping @Sendable (BookingPreflight) throws -> Void) async throws -> WaitlistEntry {
        try await pool.write { [standardSchedule] db in
            let slot = draft.slot
            let known = try Self.preflight(db, officeID: slot.officeID, date: slot.date, service: slot.service, idHashes: draft.applicants.map(\.idHash),
                                           noShowsSince: noShowsSince)
            try admit(known)
            let open = try Self.periodsWithRoom(db, slot.officeID, slot.date, slot.service, schedule: known.schedule ?? standardSchedule)
            if draft.anyPeriod ? !open.isEmpty : open.contains(slot.period) { throw BookingErrors.waitlistNotNeeded }
            let active = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM booking_applicants WHERE id_hash IN (SELECT value FROM json_each(?)) AND active = 1 AND booking_date >= ?
                """, arguments: [Self.jsonList(draft.applicants.map(\.idHash)), LocalDate.today(at: draft.createdAt).description]) ?? 0
            guard active == 0 else { throw BookingErrors.activeBookingExists }
            try Self.insertWaiting(db, id: draft.id, owner: draft.owner, slot: slot, period: draft.anyPeriod ? nil : slot.period,
                                   at: draft.createdAt, applicants: draft.applicants)
            guard let entry = try Self.waitlistEntries(db, where: "id = ?", [draft.id]).first else { throw BookingErrors.bookingNotFound(draft.id) }
            return entry
        }
    }

    public func waitlist(owner: BookingOwner) async throws -> [WaitlistEntry] {
        try await pool.read { db in
            try Self.waitlistEntries(db, where: "client_id = ? AND subject = ?", [owner.clientID, owner.subject])
        }
    }

    public func leaveWaitlist(id: String, owner: BookingOwner, now: Date) async throws -> WaitlistEntry {
        try await pool.write { db in
            guard var entry = try Self.waitlistEntries(db, where: "id = ?", [id]).first, entry.owner == owner else {
                throw DomainError.notFound("no waitlist entry \(id)")
            }
            guard entry.status == .waiting else { return entry }
            try Self.endWaiting(db, id: id, status: .left, note: nil, bookingID: nil, at: now)
            entry.status = .left
            entry.ahead = nil
            return entry
        }
    }

    public func waitingCounts(officeID: Int64, date: LocalDate, service: MarriageService) async throws -> [String: Int] {
        try await pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: """
                SELECT COALESCE(period, ''), count(*) FROM waitlist_entries
                WHERE office_id = ? AND date = ? AND service = ? AND status = 'waiting' GROUP BY 1
                """, arguments: [officeID, date.description, service.rawValue]).map { ($0[0] as String, $0[1] as Int) })
        }
    }

    /// Gives the day's free places to waiting couples, first come first served, each under every booking rule;
    /// one the rules refuse is passed over (and told why) for the next.
    func promote(_ db: Database, officeID: Int64, date: LocalDate, service: MarriageService, _ promotion: Promotion) throws {
        guard date > promotion.today else { return }
        let schedule = try Self.officeSchedule(db, officeID: officeID) ?? standardSchedule
        while true {
            let open = try Self.periodsWithRoom(db, officeID, date, service, schedule: schedule)
            guard !open.isEmpty else { return }
            // The first waiting couple who may take one of the open periods: theirs, any, or (from a draw) their
            // best-ranked open one.
            var next: (row: Row, period: String)?
            let waiting = try Row.fetchCursor(
                db.cachedStatement(sql: """
                    SELECT id, client_id, subject, period, preferences FROM waitlist_entries
                    WHERE office_id = ? AND date = ? AND service = ? AND status = 'waiting'
                      AND (period IS NULL OR period IN (SELECT value FROM json_each(?)))
                    ORDER BY position
                    """),
                arguments: [officeID, date.description, service.rawValue, Self.jsonList(open)])
            while let row = try waiting.next() {
                let ranked = (row[4] as String?)?.split(separator: ",").map(String.init)
                let fit: String? = if let own: String = row[3] { own } else if let ranked { ranked.first(where: open.contains) } else { open.first }
                if let fit {
                    next = (row.copy(), fit)
                    break
                }
            }
            guard let (row, period) = next else { return }
            let entryID: String = row[0]
            let slot = SlotKey(officeID: officeID, date: date, period: period, service: service)
            let applicants = try Self.storedApplicants(db, table: "waitlist_applicants", entryID: entryID)
            do {
                let booking = try Self.bookFromQueue(db, owner: BookingOwner(clientID: row[1], subject: row[2]), slot: slot, applicants: applicants,
                                                     source: "waitlist", promotion: promotion, schedule: schedule, policy: policy)
                try Self.endWaiting(db, id: entryID, status: .promoted, note: nil, bookingID: booking.id, at: promotion.now)
            } catch let error as DomainError {
                try Self.endWaiting(db, id: entryID, status: .skipped, note: error.code, bookingID: nil, at: promotion.now)
            }
        }
    }

    // MARK: Draw

    public func markHighDemand(officeID: Int64, date: LocalDate, audit: AuditRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO high_demand_dates (office_id, date, marked_by, marked_at) VALUES (?, ?, ?, ?)",
                           arguments: [officeID, date.description, audit.staffID, audit.at.timeIntervalSince1970])
            try SQLiteAudit.append(db, audit)
        }
    }

    public func isMarkedHighDemand(officeID: Int64, date: LocalDate) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM high_demand_dates WHERE office_id = ? AND date = ?", arguments: [officeID, date.description]) ?? false
        }
    }

    public func registerForDraw(seed: String, _ draft: WaitingDraft,
                                admit: @escaping @Sendable (OfficeDayOverride?) throws -> Void) async throws -> DrawEntry {
        try await pool.write { db in
            // Checked in the write: a registration that arrives as the draw runs is too late, not left behind.
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM draws WHERE office_id = ? AND date = ?",
                                    arguments: [draft.slot.officeID, draft.slot.date.description]) == nil
            else { throw BookingErrors.registrationClosed }
            try admit(try Self.dayOverride(db, officeID: draft.slot.officeID, date: draft.slot.date))
            try db.execute(sql: "INSERT OR IGNORE INTO draw_seeds (office_id, date, seed, seed_hash, committed_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [draft.slot.officeID, draft.slot.date.description, seed, FairDraw.commitment(seed),
                                       draft.createdAt.timeIntervalSince1970])
            do {
                try db.execute(sql: """
                    INSERT INTO draw_entries (id, client_id, subject, office_id, date, service, couple_key, preferences, status, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?)
                    """, arguments: [draft.id, draft.owner.clientID, draft.owner.subject, draft.slot.officeID, draft.slot.date.description,
                                     draft.slot.service.rawValue, draft.coupleKey, draft.preferences.joined(separator: ","),
                                     draft.createdAt.timeIntervalSince1970])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw BookingErrors.alreadyRegistered
            }
            do {
                try Self.insertApplicants(db, table: "draw_applicants", entryID: draft.id, draft.applicants, waiting: nil,
                                          date: draft.slot.date)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw BookingErrors.alreadyRegistered
            }
            guard let entry = try Self.drawEntries(db, where: "id = ?", [draft.id]).first else { throw BookingErrors.bookingNotFound(draft.id) }
            return entry
        }
    }

    public func drawEntries(owner: BookingOwner) async throws -> [DrawEntry] {
        try await pool.read { db in try Self.drawEntries(db, where: "client_id = ? AND subject = ?", [owner.clientID, owner.subject]) }
    }

    public func pendingDraws() async throws -> [(officeID: Int64, date: LocalDate)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT DISTINCT e.office_id, e.date FROM draw_entries e
                WHERE e.status = 'registered' AND NOT EXISTS (SELECT 1 FROM draws d WHERE d.office_id = e.office_id AND d.date = e.date)
                """).compactMap { row in LocalDate(iso: row[1] as String).map { (row[0], $0) } }
        }
    }

    public func runDraw(officeID: Int64, date: LocalDate, promotion: Promotion) async throws -> DrawRecord {
        try await pool.write { [self] db in
            if let done = try Self.drawRecord(db, officeID: officeID, date: date) { return done }
            // Only the seed committed before anyone could see the entries: never one made up now.
            guard let seed = try String.fetchOne(db, sql: "SELECT seed FROM draw_seeds WHERE office_id = ? AND date = ?",
                                                 arguments: [officeID, date.description])
            else { throw DatabaseError(message: "no committed seed for the draw of office \(officeID) on \(date)") }
            let schedule = try Self.officeSchedule(db, officeID: officeID) ?? standardSchedule
            var places: [String: Int] = [:]
            for period in schedule.periods.map(\.name) {
                let row = try Row.fetchOne(db, sql: "SELECT capacity, booked FROM slots WHERE office_id = ? AND date = ? AND period = ? AND service = 'marriage'",
                                           arguments: [officeID, date.description, period])
                places[period] = max(0, (row?[0] ?? schedule.capacity(for: .marriage)) - (row?[1] ?? 0))
            }
            let registered = try Row.fetchAll(db, sql: """
                SELECT id, client_id, subject, preferences FROM draw_entries WHERE office_id = ? AND date = ? AND status = 'registered'
                """, arguments: [officeID, date.description])
            let byID = Dictionary(uniqueKeysWithValues: registered.map { ($0[0] as String, $0) })
            // No longer "registered" while the draw books them: the booking rules must not wait for this very draw.
            try db.execute(sql: "UPDATE draw_entries SET status = 'waitlisted' WHERE office_id = ? AND date = ? AND status = 'registered'",
                           arguments: [officeID, date.description])
            var left = places
            // A day its office closed after they registered: nobody is booked or put on its waitlist.
            let closed = try Self.dayOverride(db, officeID: officeID, date: date) == .closed
            for (index, id) in FairDraw.order(Array(byID.keys), seed: seed).enumerated() {
                guard let row = byID[id] else { continue }
                let owner = BookingOwner(clientID: row[1], subject: row[2])
                let preferences = (row[3] as String).split(separator: ",").map(String.init)
                let applicants = try Self.storedApplicants(db, table: "draw_applicants", entryID: id)
                var outcome: (status: DrawEntry.Status, period: String?, booking: String?, note: String?) = (.waitlisted, nil, nil, nil)
                if closed { outcome = (.ineligible, nil, nil, BookingErrors.officeClosed.code) }
                for period in preferences where !closed && left[period, default: 0] > 0 {
                    do {
                        let booking = try Self.bookFromQueue(db, owner: owner, slot: SlotKey(officeID: officeID, date: date, period: period, service: .marriage),
                                                             applicants: applicants, source: "draw", promotion: promotion, schedule: schedule,
                                                             policy: policy, notingNearlyFull: false)
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
                        try db.inSavepoint {
                            try Self.insertWaiting(db, id: BookingID.make(at: promotion.now), owner: owner,
                                                   slot: SlotKey(officeID: officeID, date: date, period: preferences.first ?? "", service: .marriage),
                                                   period: nil, preferences: preferences, at: promotion.now, applicants: applicants)
                            return .commit
                        }
                    } catch let error as DomainError {
                        outcome = (.ineligible, nil, nil, error.code)
                    }
                }
                try db.execute(sql: "UPDATE draw_entries SET status = ?, rank = ?, period = ?, booking_id = ?, note = ? WHERE id = ?",
                               arguments: [outcome.status.rawValue, index + 1, outcome.period, outcome.booking, outcome.note, id])
            }
            // The day's nearly-full notice, judged once after every winner is booked (not once per winner).
            try SQLiteOutbox.noteIfNearlyFull(db, SlotKey(officeID: officeID, date: date, period: "", service: .marriage), schedule: schedule,
                                              policy: policy, at: promotion.now)
            try db.execute(sql: "INSERT INTO draws (office_id, date, seed, drawn_at, places) VALUES (?, ?, ?, ?, ?)",
                           arguments: [officeID, date.description, seed, promotion.now.timeIntervalSince1970, NotifyPolicy.encode(places)])
            guard let record = try Self.drawRecord(db, officeID: officeID, date: date) else { throw DatabaseError(message: "draw not stored") }
            return record
        }
    }

    public func drawCommitment(officeID: Int64, date: LocalDate) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT seed_hash FROM draw_seeds WHERE office_id = ? AND date = ?", arguments: [officeID, date.description])
        }
    }

    public func draw(officeID: Int64, date: LocalDate) async throws -> DrawRecord? {
        try await pool.read { db in try Self.drawRecord(db, officeID: officeID, date: date) }
    }

    // MARK: Rows

    /// Makes a booking for a couple from a queue (waitlist or draw), judged like any booking, inside a savepoint:
    /// a refusal leaves nothing behind.
    static func bookFromQueue(_ db: Database, owner: BookingOwner, slot: SlotKey, applicants: [SealedApplicant], source: String,
                              promotion: Promotion, schedule: OfficeSchedule, policy: NotifyPolicy, notingNearlyFull: Bool = true) throws -> Booking {
        var made: Booking?
        try db.inSavepoint {
            let known = try preflight(db, officeID: slot.officeID, date: slot.date, service: slot.service, idHashes: applicants.map(\.idHash),
                                      noShowsSince: promotion.noShowsSince)
            try promotion.admit(slot.date, slot.period, known)
            try take(db, slot, defaultCapacity: schedule.capacity(for: slot.service))
            let booking = Booking(id: BookingID.make(at: promotion.now), code: CheckInCode.random(), owner: owner, slot: slot, status: .confirmed,
                                  applicants: applicants.map(\.masked), divorceApplicationID: nil, createdAt: promotion.now, updatedAt: promotion.now)
            try insertConfirmed(db, booking, applicants: applicants, today: promotion.today, source: source, schedule: schedule, policy: policy,
                                notingNearlyFull: notingNearlyFull)
            made = booking
            return .commit
        }
        guard let made else { throw BookingErrors.slotFull }
        return made
    }

    /// The schedule's periods that still have a place (periods without a slot row have the schedule's capacity).
    static func periodsWithRoom(_ db: Database, _ officeID: Int64, _ date: LocalDate, _ service: MarriageService, schedule: OfficeSchedule) throws -> [String] {
        var used: [String: (capacity: Int, booked: Int)] = [:]
        for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT period, capacity, booked FROM slots WHERE office_id = ? AND date = ? AND service = ?"),
                                    arguments: [officeID, date.description, service.rawValue]) {
            used[row[0]] = (row[1], row[2])
        }
        return schedule.periods.map(\.name).filter { period in
            let (capacity, booked) = used[period] ?? (schedule.capacity(for: service), 0)
            return booked < capacity
        }
    }

    static func insertWaiting(_ db: Database, id: String, owner: BookingOwner, slot: SlotKey, period: String?, preferences: [String]? = nil,
                              at: Date, applicants: [SealedApplicant]) throws {
        try db.execute(sql: """
            INSERT INTO waitlist_entries (id, client_id, subject, office_id, date, period, preferences, service, status, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?)
            """, arguments: [id, owner.clientID, owner.subject, slot.officeID, slot.date.description, period,
                             preferences?.joined(separator: ","), slot.service.rawValue, at.timeIntervalSince1970, at.timeIntervalSince1970])
        do {
            try insertApplicants(db, table: "waitlist_applicants", entryID: id, applicants, waiting: true)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw BookingErrors.alreadyWaiting
        }
    }

    /// Waitlists mark their applicants `waiting`; draws key theirs by day (one entry per person and day).
    static func insertApplicants(_ db: Database, table: String, entryID: String, _ applicants: [SealedApplicant], waiting: Bool?,
                                 date: LocalDate? = nil) throws {
        let extraColumn = waiting != nil ? "waiting, " : date != nil ? "date, " : ""
        for (position, applicant) in applicants.enumerated() {
            var arguments: [any DatabaseValueConvertible] = [entryID, position, applicant.idHash]
            if waiting != nil { arguments.append(1) } else if let date { arguments.append(date.description) }
            arguments += [applicant.name, applicant.idNumber, applicant.phone, applicant.masked.name, applicant.masked.idNumber, applicant.masked.phone]
            try db.execute(sql: """
                INSERT INTO \(table) (entry_id, position, id_hash, \(extraColumn)name_sealed, id_sealed, phone_sealed, name_masked, id_masked, phone_masked)
                VALUES (?, ?, ?, \(extraColumn.isEmpty ? "" : "?, ")?, ?, ?, ?, ?, ?)
                """, arguments: StatementArguments(arguments))
        }
    }

    static func storedApplicants(_ db: Database, table: String, entryID: String) throws -> [SealedApplicant] {
        try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE entry_id = ? ORDER BY position", arguments: [entryID]).map(SealedApplicant.init(row:))
    }

    static func endWaiting(_ db: Database, id: String, status: WaitlistEntry.Status, note: String?, bookingID: String?, at: Date) throws {
        try db.execute(sql: "UPDATE waitlist_entries SET status = ?, note = ?, booking_id = ?, updated_at = ? WHERE id = ?",
                       arguments: [status.rawValue, note, bookingID, at.timeIntervalSince1970, id])
        try db.execute(sql: "UPDATE waitlist_applicants SET waiting = 0 WHERE entry_id = ?", arguments: [id])
    }

    static func waitlistEntries(_ db: Database, where condition: String, _ arguments: [any DatabaseValueConvertible]) throws -> [WaitlistEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM waitlist_entries WHERE \(condition) ORDER BY position", arguments: StatementArguments(arguments))
            .compactMap { row in
                guard let date = LocalDate(iso: row["date"] as String), let service = MarriageService(rawValue: row["service"]),
                    let status = WaitlistEntry.Status(rawValue: row["status"])
                else { return nil }
                let id: String = row["id"]
                var ahead: Int?
                if status == .waiting {
                    // Those before it who could take the same place: the same period, or any period.
                    let period: String? = row["period"]
                    ahead = try Int.fetchOne(db, sql: """
                        SELECT count(*) FROM waitlist_entries WHERE office_id = ? AND date = ? AND service = ? AND status = 'waiting'
                          AND position < ? AND (? IS NULL OR period IS NULL OR period = ?)
                        """, arguments: [row["office_id"], row["date"], row["service"], row["position"], period, period])
                }
                return WaitlistEntry(id: id, owner: BookingOwner(clientID: row["client_id"], subject: row["subject"]), officeID: row["office_id"],
                                     date: date, period: row["period"], service: service, status: status, bookingID: row["booking_id"],
                                     note: row["note"], ahead: ahead,
                                     applicants: try storedApplicants(db, table: "waitlist_applicants", entryID: id).map(\.masked),
                                     createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
    }

    static func drawEntries(_ db: Database, where condition: String, _ arguments: [any DatabaseValueConvertible]) throws -> [DrawEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM draw_entries WHERE \(condition) ORDER BY created_at, id", arguments: StatementArguments(arguments))
            .compactMap { row in
                guard let date = LocalDate(iso: row["date"] as String), let status = DrawEntry.Status(rawValue: row["status"]) else { return nil }
                let id: String = row["id"]
                return DrawEntry(id: id, owner: BookingOwner(clientID: row["client_id"], subject: row["subject"]), officeID: row["office_id"], date: date,
                                 preferences: (row["preferences"] as String).split(separator: ",").map(String.init), status: status,
                                 rank: row["rank"], period: row["period"], bookingID: row["booking_id"], note: row["note"],
                                 applicants: try storedApplicants(db, table: "draw_applicants", entryID: id).map(\.masked),
                                 createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
    }

    static func drawRecord(_ db: Database, officeID: Int64, date: LocalDate) throws -> DrawRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT seed, drawn_at, places FROM draws WHERE office_id = ? AND date = ?",
                                         arguments: [officeID, date.description])
        else { return nil }
        let places = (try? JSONDecoder().decode([String: Int].self, from: Data((row[2] as String).utf8))) ?? [:]
        let entries = try Row.fetchAll(db, sql: """
            SELECT id, preferences, period, status FROM draw_entries WHERE office_id = ? AND date = ? AND rank IS NOT NULL ORDER BY rank
            """, arguments: [officeID, date.description]).map { entry in
            (id: entry[0] as String, preferences: (entry[1] as String).split(separator: ",").map(String.init), period: entry[2] as String?,
             eligible: (entry[3] as String) != DrawEntry.Status.ineligible.rawValue)
        }
        return DrawRecord(officeID: officeID, date: date, seed: row[0], drawnAt: Date(timeIntervalSince1970: row[1]), places: places, entries: entries)
    }

    static func jsonList(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

extension SealedApplicant {
    /// An applicant as a queue or a booking keeps it.
    init(row: Row) {
        self.init(name: row["name_sealed"], idNumber: row["id_sealed"], phone: row["phone_sealed"], idHash: row["id_hash"],
                  masked: MaskedApplicant(name: row["name_masked"], idNumber: row["id_masked"], phone: row["phone_masked"]))
    }
}
