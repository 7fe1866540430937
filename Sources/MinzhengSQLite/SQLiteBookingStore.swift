import Foundation
import GRDB
import MinzhengCore

/// Bookings, slots and office days in SQLite. A place is taken only by
/// `UPDATE slots SET booked = booked + 1 WHERE ... AND booked < capacity`, in the transaction that inserts
/// the booking; SQLite runs one write transaction at a time, and the table's CHECK refuses any overbooking.
public struct SQLiteBookingStore: BookingStore {
    let pool: DatabasePool
    /// New bookings, the write of a rush, are committed in groups.
    private let bookingWriter: GroupCommitWriter

    /// When reminders are due and when a day is nearly full (the events written beside each change).
    let policy: NotifyPolicy
    /// The schedule of offices without their own, for the places of a day.
    let standardSchedule: OfficeSchedule

    public init(_ database: SQLiteDatabase, policy: NotifyPolicy = NotifyPolicy(), standardSchedule: OfficeSchedule = .standard) {
        pool = database.pool
        bookingWriter = GroupCommitWriter(pool: database.pool)
        self.policy = policy
        self.standardSchedule = standardSchedule
    }

    public func create(_ draft: BookingDraft, idempotency claim: IdempotencyClaim?, noShowsSince: LocalDate,
                       admit: @escaping @Sendable (BookingPreflight) throws -> Void) async throws -> BookingCreation {
        try await bookingWriter.write { [policy, standardSchedule] db in
            if let claim, let earlier = try Self.replay(db, claim) { return .replayed(earlier) }
            let known = try Self.preflight(db, officeID: draft.booking.slot.officeID, date: draft.booking.slot.date, service: draft.booking.slot.service,
                                           idHashes: draft.applicants.map(\.idHash), noShowsSince: noShowsSince)
            try admit(known)
            let booking = draft.booking
            let slot = booking.slot
            try Self.take(db, slot, defaultCapacity: known.schedule?.capacity(for: slot.service) ?? draft.defaultCapacity)
            if let claim {
                try db.cachedStatement(sql: "INSERT INTO idempotency_keys (client_id, subject, key, request_hash, response, created_at) VALUES (?, ?, ?, ?, ?, ?)")
                    .execute(arguments: [claim.owner.clientID, claim.owner.subject, claim.key, claim.requestHash, draft.replayRecord,
                                         booking.createdAt.timeIntervalSince1970])
            }
            try Self.insertConfirmed(db, booking, applicants: draft.applicants, today: draft.today, source: nil,
                                     schedule: known.schedule ?? standardSchedule, policy: policy)
            return .created(booking)
        }
    }

    /// Writes a booking that has just taken its place, direct or from a queue: its people's bookings of days gone by
    /// stop counting as active, then the booking, its applicants, its confirmation and reminder, and (once) the day's
    /// nearly-full notice, unless the caller checks that itself after a batch (`notingNearlyFull` false: the draw).
    static func insertConfirmed(_ db: Database, _ booking: Booking, applicants: [SealedApplicant], today: LocalDate, source: String?,
                                schedule: OfficeSchedule, policy: NotifyPolicy, notingNearlyFull: Bool = true) throws {
        let slot = booking.slot
        let expire = try db.cachedStatement(sql: "UPDATE booking_applicants SET active = 0 WHERE id_hash = ? AND active = 1 AND booking_date < ?")
        for applicant in applicants { try expire.execute(arguments: [applicant.idHash, today.description]) }
        do {
            try db.cachedStatement(sql: """
                    INSERT INTO bookings (id, code, client_id, subject, office_id, date, period, service, status,
                                          divorce_application_id, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'confirmed', ?, ?, ?)
                    """).execute(arguments: [booking.id, booking.code, booking.owner.clientID, booking.owner.subject, slot.officeID, slot.date.description,
                            slot.period, slot.service.rawValue, booking.divorceApplicationID, booking.createdAt.timeIntervalSince1970,
                            booking.updatedAt.timeIntervalSince1970])
            for (position, applicant) in applicants.enumerated() {
                try db.cachedStatement(sql: """
                        INSERT INTO booking_applicants (booking_id, position, id_hash, active, booking_date, name_sealed, id_sealed,
                                                        phone_sealed, name_masked, id_masked, phone_masked)
                        VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [booking.id, position, applicant.idHash, slot.date.description, applicant.name, applicant.idNumber,
                                applicant.phone, applicant.masked.name, applicant.masked.idNumber, applicant.masked.phone])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            if error.message?.contains("id_hash") == true { throw BookingErrors.activeBookingExists }
            if error.message?.contains("code") == true { throw BookingErrors.codeTaken }
            throw error
        }
        try SQLiteOutbox.append(db, .booking(.bookingConfirmed, booking, at: booking.createdAt, source: source))
        try SQLiteOutbox.append(db, .reminder(booking, at: booking.createdAt, policy: policy))
        if notingNearlyFull { try SQLiteOutbox.noteIfNearlyFull(db, slot, schedule: schedule, policy: policy, at: booking.createdAt) }
    }

    /// The office's exception to the calendar on `date`, if it has one.
    static func dayOverride(_ db: Database, officeID: Int64, date: LocalDate) throws -> OfficeDayOverride? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT kind FROM office_days WHERE office_id = ? AND date = ?"),
                            arguments: [officeID, date.description]).flatMap(OfficeDayOverride.init(rawValue:))
    }

    static func preflight(_ db: Database, officeID: Int64, date: LocalDate, service: MarriageService, idHashes: [String],
                          noShowsSince: LocalDate) throws -> BookingPreflight {
        let dayOverride = try Self.dayOverride(db, officeID: officeID, date: date)
        var noShows: [String: [LocalDate]] = [:]
        let statement = try db.cachedStatement(sql: """
            SELECT b.date FROM booking_applicants a JOIN bookings b ON b.id = a.booking_id
            WHERE a.id_hash = ? AND a.active = 0 AND b.status = 'no_show' AND b.date >= ?
            """)
        for hash in idHashes {
            noShows[hash] = try String.fetchAll(statement, arguments: [hash, noShowsSince.description]).compactMap { LocalDate(iso: $0) }
        }
        // Once a draw has run, a straggling entry cannot hold the day.
        let drawPending = try Bool.fetchOne(
            db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM draw_entries WHERE office_id = ? AND date = ? AND service = ? AND status = 'registered')
                   AND NOT EXISTS (SELECT 1 FROM draws WHERE office_id = ? AND date = ?)
                """),
            arguments: [officeID, date.description, service.rawValue, officeID, date.description]) ?? false
        return BookingPreflight(dayOverride: dayOverride, noShows: noShows,
                                schedule: try officeSchedule(db, officeID: officeID), drawPending: drawPending)
    }

    public func replay(_ claim: IdempotencyClaim) async throws -> Booking? {
        try await pool.read { db in try Self.replay(db, claim) }
    }

    public func idempotencyKeys(since: Date) async throws -> [(owner: BookingOwner, key: String, at: Date)] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT client_id, subject, key, created_at FROM idempotency_keys WHERE created_at >= ?",
                             arguments: [since.timeIntervalSince1970]).map {
                (BookingOwner(clientID: $0["client_id"], subject: $0["subject"]), $0["key"], Date(timeIntervalSince1970: $0["created_at"]))
            }
        }
    }

    private static func replay(_ db: Database, _ claim: IdempotencyClaim) throws -> Booking? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT request_hash, response FROM idempotency_keys WHERE client_id = ? AND subject = ? AND key = ?"),
            arguments: [claim.owner.clientID, claim.owner.subject, claim.key])
        else { return nil }
        guard row["request_hash"] as String == claim.requestHash else { throw BookingErrors.idempotencyKeyReused }
        return try JSONDecoder().decode(Booking.self, from: Data((row["response"] as String).utf8))
    }

    /// Takes one place in `slot` (creating the slot with `defaultCapacity` if it is new), or throws `slot_full`.
    static func take(_ db: Database, _ slot: SlotKey, defaultCapacity: Int) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO slots (office_id, date, period, service, capacity, booked) VALUES (?, ?, ?, ?, ?, 0)")
            .execute(arguments: [slot.officeID, slot.date.description, slot.period, slot.service.rawValue, defaultCapacity])
        try db.cachedStatement(sql: """
                UPDATE slots SET booked = booked + 1
                WHERE office_id = ? AND date = ? AND period = ? AND service = ? AND booked < capacity
                """)
            .execute(arguments: [slot.officeID, slot.date.description, slot.period, slot.service.rawValue])
        guard db.changesCount == 1 else { throw BookingErrors.slotFull }
    }

    static func free(_ db: Database, _ slot: SlotKey) throws {
        try db.execute(
            sql: "UPDATE slots SET booked = booked - 1 WHERE office_id = ? AND date = ? AND period = ? AND service = ? AND booked > 0",
            arguments: [slot.officeID, slot.date.description, slot.period, slot.service.rawValue])
    }

    public func booking(id: String) async throws -> Booking? {
        try await pool.read { db in try Self.bookings(db, where: "id = ?", [id]).first }
    }

    public func booking(code: String) async throws -> Booking? {
        try await pool.read { db in try Self.bookings(db, where: "code = ?", [code]).first }
    }

    public func bookings(owner: BookingOwner, page: PageRequest) async throws -> Page<Booking> {
        try await pool.read { db in
            var condition = "client_id = ? AND subject = ?"
            var arguments: [any DatabaseValueConvertible] = [owner.clientID, owner.subject]
            if let after = page.after {
                // Newest first: the cursor holds the last item's "created_at id".
                let parts = after.key.split(separator: " ")
                guard parts.count == 2, let createdAt = Double(parts[0]) else {
                    throw DomainError.invalidParameter("cursor", "belongs to another list")
                }
                condition += " AND (created_at, id) < (?, ?)"
                arguments += [createdAt, String(parts[1])]
            }
            let found = try Self.bookings(db, where: condition, arguments, order: "created_at DESC, id DESC", limit: page.limit + 1)
            let items = Array(found.prefix(page.limit))
            let next = found.count > page.limit ? items.last.map { PageCursor(key: "\($0.createdAt.timeIntervalSince1970) \($0.id)", id: 0) } : nil
            return Page(items: items, next: next)
        }
    }

    public func cancel(id: String, owner: BookingOwner, now: Date, today: LocalDate, promotion: Promotion) async throws -> Booking {
        try await pool.write { [self] db in
            var booking = try Self.changeable(db, id: id, owner: owner, today: today)
            try Self.setStatus(db, &booking, .cancelled, now: now)
            try Self.free(db, booking.slot)
            try SQLiteOutbox.voidReminder(db, bookingID: booking.id)
            try SQLiteOutbox.append(db, .booking(.bookingCancelled, booking, at: now))
            try promote(db, officeID: booking.slot.officeID, date: booking.slot.date, service: booking.slot.service, promotion)
            return booking
        }
    }

    public func reschedule(id: String, owner: BookingOwner, to slot: SlotKey, defaultCapacity: Int, now: Date, today: LocalDate,
                           noShowsSince: LocalDate, admit: @escaping @Sendable (BookingPreflight) throws -> Void,
                           promotion: Promotion) async throws -> Booking {
        try await pool.write { [self, policy, standardSchedule] db in
            var booking = try Self.changeable(db, id: id, owner: owner, today: today)
            guard booking.slot != slot else { return booking }
            let people = try Self.idHashes(db, bookingID: id)
            let known = try Self.preflight(db, officeID: slot.officeID, date: slot.date, service: slot.service, idHashes: Array(people),
                                           noShowsSince: noShowsSince)
            try admit(known)
            try Self.take(db, slot, defaultCapacity: known.schedule?.capacity(for: slot.service) ?? defaultCapacity)
            try Self.free(db, booking.slot)
            try db.execute(sql: "UPDATE bookings SET date = ?, period = ?, updated_at = ? WHERE id = ?",
                           arguments: [slot.date.description, slot.period, now.timeIntervalSince1970, id])
            // Marked active again so the one-active-booking index judges the moved booking anew.
            do {
                try db.execute(sql: "UPDATE booking_applicants SET booking_date = ?, active = 1 WHERE booking_id = ?",
                               arguments: [slot.date.description, id])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw BookingErrors.activeBookingExists
            }
            let previous = booking.slot
            booking.slot = slot
            booking.updatedAt = now
            try SQLiteOutbox.voidReminder(db, bookingID: id)
            try SQLiteOutbox.append(db, .booking(.bookingRescheduled, booking, at: now, movedFrom: previous))
            try SQLiteOutbox.append(db, .reminder(booking, at: now, policy: policy))
            try SQLiteOutbox.noteIfNearlyFull(db, slot, schedule: known.schedule ?? standardSchedule, policy: policy, at: now)
            try promote(db, officeID: previous.officeID, date: previous.date, service: previous.service, promotion)
            return booking
        }
    }

    /// A confirmed booking of `owner` whose day is still to come (after `today`).
    static func changeable(_ db: Database, id: String, owner: BookingOwner, today: LocalDate) throws -> Booking {
        guard let booking = try bookings(db, where: "id = ?", [id]).first, booking.owner == owner else {
            throw BookingErrors.bookingNotFound(id)
        }
        guard booking.status == .confirmed else { throw BookingErrors.notConfirmed }
        guard booking.slot.date > today else { throw BookingErrors.tooLateToChange }
        return booking
    }

    public func sealedIDNumbers(bookingID: String) async throws -> [Data] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT id_sealed FROM booking_applicants WHERE booking_id = ? ORDER BY position", arguments: [bookingID])
        }
    }

    public func revealApplicants(bookingID: String, audit: AuditRecord) async throws -> [(name: Data, idNumber: Data)] {
        try await pool.write { db in
            try SQLiteAudit.append(db, audit)
            return try Row.fetchAll(db, sql: "SELECT name_sealed, id_sealed FROM booking_applicants WHERE booking_id = ? ORDER BY position",
                                    arguments: [bookingID]).map { (name: $0["name_sealed"], idNumber: $0["id_sealed"]) }
        }
    }

    public func idHashes(bookingID: String) async throws -> Set<String> {
        try await pool.read { db in try Self.idHashes(db, bookingID: bookingID) }
    }

    static func idHashes(_ db: Database, bookingID: String) throws -> Set<String> {
        Set(try String.fetchAll(db, sql: "SELECT id_hash FROM booking_applicants WHERE booking_id = ?", arguments: [bookingID]))
    }

    public func officeCalendar(officeID: Int64, from: LocalDate, to: LocalDate) async throws -> OfficeCalendar {
        try await pool.read { db in
            let range: StatementArguments = [officeID, from.description, to.description]
            var usage: [LocalDate: [SlotUsage]] = [:]
            let slots = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT date, period, service, capacity, booked FROM slots WHERE office_id = ? AND date BETWEEN ? AND ?"),
                arguments: range)
            for row in slots {
                guard let date = LocalDate(iso: row["date"] as String), let service = MarriageService(rawValue: row["service"]) else { continue }
                usage[date, default: []].append(SlotUsage(period: row["period"], service: service, capacity: row["capacity"], booked: row["booked"]))
            }
            var overrides: [LocalDate: OfficeDayOverride] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT date, kind FROM office_days WHERE office_id = ? AND date BETWEEN ? AND ?"),
                                        arguments: range) {
                if let date = LocalDate(iso: row["date"] as String), let kind = OfficeDayOverride(rawValue: row["kind"]) { overrides[date] = kind }
            }
            return OfficeCalendar(usage: usage, overrides: overrides, schedule: try Self.officeSchedule(db, officeID: officeID))
        }
    }

    public func acceptedDivorceApplication(id: String, idHashes: Set<String>, certificateID: String?) async throws -> LocalDate? {
        try await pool.read { db in
            guard let date = try String.fetchOne(
                db, sql: """
                    SELECT date FROM bookings a
                    WHERE id = ? AND service = 'divorce_application' AND status = 'checked_in'
                      AND NOT EXISTS (SELECT 1 FROM bookings c
                                      WHERE c.divorce_application_id = a.id AND c.status IN ('confirmed', 'checked_in') AND c.id IS NOT ?)
                    """,
                arguments: [id, certificateID])
            else { return nil }
            guard try Self.idHashes(db, bookingID: id) == idHashes else { return nil }
            return LocalDate(iso: date)
        }
    }

    public func officeSchedule(officeID: Int64) async throws -> OfficeSchedule? {
        try await pool.read { db in try Self.officeSchedule(db, officeID: officeID) }
    }

    static func officeSchedule(_ db: Database, officeID: Int64) throws -> OfficeSchedule? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM office_schedules WHERE office_id = ?"), arguments: [officeID])
        else { return nil }
        let periods = (row["periods"] as String).split(separator: ",").compactMap(OfficeSchedule.Period.init)
        var capacity: [MarriageService: Int] = [:]
        for service in MarriageService.allCases { capacity[service] = row["capacity_\(service.rawValue)"] }
        return OfficeSchedule(periods: periods, defaultCapacity: capacity,
                              window: BookingWindow(minDaysAhead: row["min_days_ahead"], maxDaysAhead: row["max_days_ahead"],
                                                    closingHour: row["closing_hour"], releaseMinute: row["release_minute"]))
    }

    public func setOfficeSchedule(officeID: Int64, _ schedule: OfficeSchedule, from: LocalDate, audit: AuditRecord,
                                  promotion: Promotion) async throws {
        try await pool.write { [self] db in
            let kept = schedule.periods.map(\.name)
            let dropped = try String.fetchAll(
                db, sql: """
                    SELECT DISTINCT period FROM bookings
                    WHERE office_id = ? AND date >= ? AND status = 'confirmed' AND period NOT IN (SELECT value FROM json_each(?))
                    ORDER BY period
                    """,
                arguments: [officeID, from.description, String(decoding: try JSONEncoder().encode(kept), as: UTF8.self)])
            guard dropped.isEmpty else { throw BookingErrors.periodInUse(dropped) }
            try db.execute(
                sql: """
                    INSERT INTO office_schedules (office_id, periods, capacity_marriage, capacity_divorce_application,
                        capacity_divorce_certificate, capacity_reissue, min_days_ahead, max_days_ahead, closing_hour, updated_at,
                        release_minute)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (office_id) DO UPDATE SET periods = excluded.periods,
                        capacity_marriage = excluded.capacity_marriage, capacity_divorce_application = excluded.capacity_divorce_application,
                        capacity_divorce_certificate = excluded.capacity_divorce_certificate, capacity_reissue = excluded.capacity_reissue,
                        min_days_ahead = excluded.min_days_ahead, max_days_ahead = excluded.max_days_ahead,
                        closing_hour = excluded.closing_hour, updated_at = excluded.updated_at, release_minute = excluded.release_minute
                    """,
                arguments: [officeID, schedule.periods.map(\.description).joined(separator: ","), schedule.capacity(for: .marriage),
                            schedule.capacity(for: .divorceApplication), schedule.capacity(for: .divorceCertificate),
                            schedule.capacity(for: .reissue), schedule.window.minDaysAhead, schedule.window.maxDaysAhead,
                            schedule.window.closingHour, audit.at.timeIntervalSince1970, schedule.window.releaseMinute])
            try SQLiteAudit.append(db, audit)
            // New periods or larger default capacities: the days people wait for may have room now.
            for row in try Row.fetchAll(db, sql: "SELECT DISTINCT date, service FROM waitlist_entries WHERE office_id = ? AND status = 'waiting'",
                                        arguments: [officeID]) {
                guard let date = LocalDate(iso: row[0] as String), let service = MarriageService(rawValue: row[1]) else { continue }
                try promote(db, officeID: officeID, date: date, service: service, promotion)
            }
        }
    }

    public func setCapacity(officeID: Int64, dates: [LocalDate], periods: [String], service: MarriageService, capacity: Int,
                            audit: AuditRecord, promotion: Promotion) async throws {
        try await pool.write { [self] db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO slots (office_id, date, period, service, capacity, booked) VALUES (?, ?, ?, ?, ?, 0)
                ON CONFLICT (office_id, date, period, service) DO UPDATE SET capacity = excluded.capacity
                """)
            do {
                for date in dates {
                    for period in periods {
                        try statement.execute(arguments: [officeID, date.description, period, service.rawValue, capacity])
                    }
                }
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_CHECK {
                throw BookingErrors.capacityBelowBooked
            }
            try SQLiteAudit.append(db, audit)
            // Places added go to the waiting couples at once, in the same transaction.
            for date in dates { try promote(db, officeID: officeID, date: date, service: service, promotion) }
        }
    }

    public func closeDay(officeID: Int64, date: LocalDate, reason: String, audit: AuditRecord) async throws -> [Booking] {
        try await pool.write { db in
            try Self.setOfficeDay(db, officeID: officeID, date: date, .closed, reason: reason)
            var cancelled = try Self.bookings(db, where: "office_id = ? AND date = ? AND status = 'confirmed'", [officeID, date.description])
            for index in cancelled.indices {
                try Self.setStatus(db, &cancelled[index], .cancelledByOffice, now: audit.at)
                try Self.free(db, cancelled[index].slot)
                try SQLiteOutbox.voidReminder(db, bookingID: cancelled[index].id)
                try SQLiteOutbox.append(db, .booking(.bookingCancelledByOffice, cancelled[index], at: audit.at))
            }
            // The day's waiting couples are told in their entries: no place can come to them now, and each of them
            // may wait elsewhere (one waitlist entry per person).
            let waiting = try String.fetchAll(db, sql: "SELECT id FROM waitlist_entries WHERE office_id = ? AND date = ? AND status = 'waiting'",
                                              arguments: [officeID, date.description])
            for id in waiting {
                try Self.endWaiting(db, id: id, status: .skipped, note: BookingErrors.officeClosed.code, bookingID: nil, at: audit.at)
            }
            try SQLiteOutbox.append(db, .officeClosed(officeID: officeID, date: date, reason: reason, cancelled: cancelled.count, at: audit.at))
            try SQLiteAudit.append(db, audit)
            return cancelled
        }
    }

    public func openDay(officeID: Int64, date: LocalDate, reason: String, audit: AuditRecord, promotion: Promotion) async throws {
        try await pool.write { [self] db in
            try Self.setOfficeDay(db, officeID: officeID, date: date, .open, reason: reason)
            try SQLiteAudit.append(db, audit)
            for service in MarriageService.allCases { try promote(db, officeID: officeID, date: date, service: service, promotion) }
        }
    }

    static func setOfficeDay(_ db: Database, officeID: Int64, date: LocalDate, _ kind: OfficeDayOverride, reason: String) throws {
        try db.execute(
            sql: """
                INSERT INTO office_days (office_id, date, kind, reason) VALUES (?, ?, ?, ?)
                ON CONFLICT (office_id, date) DO UPDATE SET kind = excluded.kind, reason = excluded.reason
                """,
            arguments: [officeID, date.description, kind.rawValue, reason])
    }

    public func roster(officeID: Int64, date: LocalDate) async throws -> [Booking] {
        try await pool.read { db in
            try Self.bookings(db, where: "office_id = ? AND date = ?", [officeID, date.description], order: "period, created_at, id")
        }
    }

    public func transition(id: String, to status: BookingStatus, audit: AuditRecord) async throws -> Booking {
        try await pool.write { db in
            guard var booking = try Self.bookings(db, where: "id = ?", [id]).first else { throw BookingErrors.bookingNotFound(id) }
            guard booking.status == .confirmed else { throw BookingErrors.notConfirmed }
            try Self.setStatus(db, &booking, status, now: audit.at)
            try SQLiteOutbox.voidReminder(db, bookingID: id)
            if status == .noShow { try SQLiteOutbox.append(db, .booking(.bookingNoShow, booking, at: audit.at)) }
            try SQLiteAudit.append(db, audit)
            return booking
        }
    }

    // MARK: Rows

    static func setStatus(_ db: Database, _ booking: inout Booking, _ status: BookingStatus, now: Date) throws {
        try db.execute(sql: "UPDATE bookings SET status = ?, updated_at = ? WHERE id = ?",
                       arguments: [status.rawValue, now.timeIntervalSince1970, booking.id])
        if !status.isActive {
            try db.execute(sql: "UPDATE booking_applicants SET active = 0 WHERE booking_id = ?", arguments: [booking.id])
        }
        booking.status = status
        booking.updatedAt = now
    }

    static func bookings(_ db: Database, where condition: String, _ arguments: [any DatabaseValueConvertible],
                                 order: String = "created_at, id", limit: Int? = nil) throws -> [Booking] {
        let rows = try Row.fetchAll(
            db, sql: """
                SELECT id, code, client_id, subject, office_id, date, period, service, status, divorce_application_id, created_at, updated_at
                FROM bookings WHERE \(condition) ORDER BY \(order) \(limit.map { "LIMIT \($0)" } ?? "")
                """, arguments: StatementArguments(arguments))
        return try rows.map { row in
            let id: String = row["id"]
            let applicants = try Row.fetchAll(
                db, sql: "SELECT name_masked, id_masked, phone_masked FROM booking_applicants WHERE booking_id = ? ORDER BY position",
                arguments: [id]
            ).map { MaskedApplicant(name: $0["name_masked"], idNumber: $0["id_masked"], phone: $0["phone_masked"]) }
            guard let date = LocalDate(iso: row["date"] as String), let service = MarriageService(rawValue: row["service"]),
                let status = BookingStatus(rawValue: row["status"])
            else { throw DatabaseError(message: "booking \(id) has an unreadable row") }
            return Booking(
                id: id, code: row["code"], owner: BookingOwner(clientID: row["client_id"], subject: row["subject"]),
                slot: SlotKey(officeID: row["office_id"], date: date, period: row["period"], service: service), status: status,
                applicants: applicants, divorceApplicationID: row["divorce_application_id"],
                createdAt: Date(timeIntervalSince1970: row["created_at"]), updatedAt: Date(timeIntervalSince1970: row["updated_at"]))
        }
    }
}

/// The audit log's writer: appends a row chained to the previous one, inside the caller's transaction.
enum SQLiteAudit {
    static func append(_ db: Database, _ record: AuditRecord) throws {
        let previous = try String.fetchOne(db, sql: "SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") ?? AuditChain.genesis
        try db.execute(
            sql: "INSERT INTO audit_log (at, staff_id, action, target, before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: [record.at.timeIntervalSince1970, record.staffID, record.action, record.target, record.before, record.after, previous,
                        AuditChain.link(previous: previous, record)])
    }
}

extension SQLiteBookingStore: AuditStore {
    public func auditTrail(after id: Int64, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, at, staff_id, action, target, before, after, prev_hash, hash FROM audit_log WHERE id > ? ORDER BY id LIMIT ?
                """, arguments: [id, limit]).map {
                AuditEntry(id: $0["id"], staffID: $0["staff_id"], action: $0["action"], target: $0["target"],
                           at: Date(timeIntervalSince1970: $0["at"]), before: $0["before"], after: $0["after"],
                           previousHash: $0["prev_hash"], hash: $0["hash"])
            }
        }
    }
}
