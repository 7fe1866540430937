import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Bookings, slots and office days in PostgreSQL: the same behaviour as `SQLiteBookingStore`. A place is taken only by
/// `UPDATE slots SET booked = booked + 1 WHERE ... AND booked < capacity`, in the transaction that inserts the booking
/// (under READ COMMITTED a concurrent taker waits for the row and re-checks the condition on the committed count), and
/// the table's CHECK refuses any overbooking. Where SQLite's single writer made a read-then-write safe, an advisory lock
/// does here (see Locks). Each booking is its own transaction: group commit is SQLite's answer to fsync per commit.
public struct PostgresBookingStore: BookingStore {
    let client: PostgresClient
    let logger: Logger
    /// When reminders are due and when a day is nearly full (the events written beside each change).
    let policy: NotifyPolicy
    /// The schedule of offices without their own, for the places of a day.
    let standardSchedule: OfficeSchedule

    public init(_ database: PostgresDatabase, policy: NotifyPolicy = NotifyPolicy(), standardSchedule: OfficeSchedule = .standard) {
        client = database.client
        logger = database.logger
        self.policy = policy
        self.standardSchedule = standardSchedule
    }

    public func create(_ draft: BookingDraft, idempotency claim: IdempotencyClaim?, noShowsSince: LocalDate,
                       admit: @escaping @Sendable (BookingPreflight) throws -> Void) async throws -> BookingCreation {
        let booking = draft.booking
        let slot = booking.slot
        return try await transaction { connection -> BookingCreation in
            try await lockOffice(connection, slot.officeID, exclusive: false)
            if let claim, let earlier = try await claimKey(connection, claim, response: draft.replayRecord, at: booking.createdAt) {
                return .replayed(earlier)
            }
            let known = try await preflight(connection, officeID: slot.officeID, date: slot.date, service: slot.service,
                                            idHashes: draft.applicants.map(\.idHash), noShowsSince: noShowsSince)
            try admit(known)
            try await take(connection, slot, defaultCapacity: known.schedule?.capacity(for: slot.service) ?? draft.defaultCapacity)
            try await insertConfirmed(connection, booking, applicants: draft.applicants, today: draft.today, source: nil,
                                      schedule: known.schedule ?? standardSchedule)
            return .created(booking)
        }
    }

    /// Claims the idempotency key for this request (answering nil), or answers the booking it was first used for. The
    /// key is claimed before anything else: a concurrent request with the same key waits on the insert until this one
    /// commits (then replays it) or rolls back (then claims the key itself), so racing retries make one booking.
    func claimKey(_ connection: PostgresConnection, _ claim: IdempotencyClaim, response: String, at: Date) async throws -> Booking? {
        let claimed = try await connection.query("""
            INSERT INTO idempotency_keys (client_id, subject, key, request_hash, response, created_at)
            VALUES (\(claim.owner.clientID), \(claim.owner.subject), \(claim.key), \(claim.requestHash), \(response), \(at.timeIntervalSince1970))
            ON CONFLICT (client_id, subject, key) DO NOTHING RETURNING 1
            """, logger: logger).collect()
        guard claimed.isEmpty else { return nil }
        guard let earlier = try await replay(connection, claim) else { throw PostgresDatabaseError("an idempotency key was neither claimed nor found") }
        return earlier
    }

    /// What the booking rules need, in one round trip: the day's override, the applicants' recent no-shows, whether
    /// a draw is pending, and the office's own schedule.
    func preflight(_ connection: PostgresConnection, officeID: Int64, date: LocalDate, service: MarriageService, idHashes: [String],
                   noShowsSince: LocalDate) async throws -> BookingPreflight {
        let day = date.description
        let rows = try await connection.query("""
            SELECT (SELECT kind FROM office_days WHERE office_id = \(officeID) AND date = \(day)),
                   (SELECT array_agg(a.id_hash || ' ' || b.date) FROM booking_applicants a JOIN bookings b ON b.id = a.booking_id
                    WHERE a.id_hash = ANY(\(idHashes)) AND NOT a.active AND b.status = 'no_show' AND b.date >= \(noShowsSince.description)),
                   -- Draws are for marriage registrations; once a draw has run, a straggling entry cannot hold the day.
                   EXISTS (SELECT 1 FROM draw_entries WHERE office_id = \(officeID) AND date = \(day) AND service = \(service.rawValue)
                                                       AND status = 'registered')
                     AND NOT EXISTS (SELECT 1 FROM draws WHERE office_id = \(officeID) AND date = \(day)),
                   s.periods, s.capacity_marriage, s.capacity_divorce_application, s.capacity_divorce_certificate, s.capacity_reissue,
                   s.min_days_ahead, s.max_days_ahead, s.closing_hour, s.release_minute
            FROM (SELECT 1) AS one LEFT JOIN office_schedules s ON s.office_id = \(officeID)
            """, logger: logger)
        for try await (kind, noShowDays, drawPending, periods, marriage, application, certificate, reissue, minDays, maxDays, closing, release)
            in rows.decode((String?, [String]?, Bool, String?, Int?, Int?, Int?, Int?, Int?, Int?, Int?, Int?).self) {
            var noShows = Dictionary(idHashes.map { ($0, [LocalDate]()) }, uniquingKeysWith: { first, _ in first })
            for item in noShowDays ?? [] {
                let parts = item.split(separator: " ")
                if parts.count == 2, let day = LocalDate(iso: String(parts[1])) { noShows[String(parts[0]), default: []].append(day) }
            }
            var schedule: OfficeSchedule?
            if let periods, let marriage, let application, let certificate, let reissue, let minDays, let maxDays, let closing, let release {
                schedule = Self.schedule(periods: periods, capacities: (marriage, application, certificate, reissue),
                                         window: (minDays, maxDays, closing, release))
            }
            return BookingPreflight(dayOverride: kind.flatMap(OfficeDayOverride.init(rawValue:)), noShows: noShows, schedule: schedule,
                                    drawPending: drawPending)
        }
        throw PostgresDatabaseError("the booking preflight answered no row")
    }

    public func replay(_ claim: IdempotencyClaim) async throws -> Booking? {
        try await read { connection in try await replay(connection, claim) }
    }

    public func idempotencyKeys(since: Date) async throws -> [(owner: BookingOwner, key: String, at: Date)] {
        var keys: [(owner: BookingOwner, key: String, at: Date)] = []
        for try await (clientID, subject, key, createdAt) in try await client.query("""
            SELECT client_id, subject, key, created_at FROM idempotency_keys WHERE created_at >= \(since.timeIntervalSince1970)
            """, logger: logger).decode((Int64, String, String, Double).self) {
            keys.append((BookingOwner(clientID: clientID, subject: subject), key, Date(timeIntervalSince1970: createdAt)))
        }
        return keys
    }

    func replay(_ connection: PostgresConnection, _ claim: IdempotencyClaim) async throws -> Booking? {
        for try await (requestHash, response) in try await connection.execute(ReplayStatement(claim: claim), logger: logger) {
            guard requestHash == claim.requestHash else { throw BookingErrors.idempotencyKeyReused }
            return try JSONDecoder().decode(Booking.self, from: Data(response.utf8))
        }
        return nil
    }

    /// Prepared once per connection: in a rush every refused attempt that carries a key asks this (a retry may have
    /// booked through another process), and PostgreSQL then need not parse and plan it each time.
    struct ReplayStatement: PostgresPreparedStatement {
        static let sql = "SELECT request_hash, response FROM idempotency_keys WHERE client_id = $1 AND subject = $2 AND key = $3"
        typealias Row = (String, String)
        let claim: IdempotencyClaim

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings()
            bindings.append(claim.owner.clientID)
            bindings.append(claim.owner.subject)
            bindings.append(claim.key)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Takes one place in `slot` (creating the slot with `defaultCapacity` if it is new), or throws `slot_full`: one
    /// statement, whose update is conditional on `booked < capacity` (a new slot of capacity 0 is made empty and full).
    /// The place that fills the slot is announced to every process by the table's trigger (migration 0008), so none
    /// needs a failed attempt to learn it.
    func take(_ connection: PostgresConnection, _ slot: SlotKey, defaultCapacity: Int) async throws {
        let rows = try await connection.query("""
            INSERT INTO slots AS s (office_id, date, period, service, capacity, booked)
            VALUES (\(slot.officeID), \(slot.date.description), \(slot.period), \(slot.service.rawValue), \(defaultCapacity),
                    \(defaultCapacity > 0 ? 1 : 0))
            ON CONFLICT (office_id, date, period, service) DO UPDATE SET booked = s.booked + 1 WHERE s.booked < s.capacity
            RETURNING booked > 0
            """, logger: logger)
        var taken = false
        for try await placed in rows.decode(Bool.self) { taken = placed }
        guard taken else { throw BookingErrors.slotFull }
    }

    func free(_ connection: PostgresConnection, _ slot: SlotKey) async throws {
        try await connection.query("""
            UPDATE slots SET booked = booked - 1
            WHERE office_id = \(slot.officeID) AND date = \(slot.date.description) AND period = \(slot.period)
              AND service = \(slot.service.rawValue) AND booked > 0
            """, logger: logger)
    }

    /// Ends the people's active bookings of days before `day`.
    func expire(_ connection: PostgresConnection, idHashes: [String], before day: LocalDate) async throws {
        try await connection.query("""
            UPDATE booking_applicants SET active = false WHERE id_hash = ANY(\(idHashes.sorted())) AND active AND booking_date < \(day.description)
            """, logger: logger)
    }

    public func booking(id: String) async throws -> Booking? {
        try await read { connection in try await bookings(connection, "SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE id = \(id)").first }
    }

    public func booking(code: String) async throws -> Booking? {
        try await read { connection in
            try await bookings(connection, "SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE code = \(code)").first
        }
    }

    public func bookings(owner: BookingOwner, page: PageRequest) async throws -> Page<Booking> {
        var after: (createdAt: Double, id: String)?
        if let cursor = page.after {
            // Newest first: the cursor holds the last item's "created_at id".
            let parts = cursor.key.split(separator: " ")
            guard parts.count == 2, let createdAt = Double(parts[0]) else {
                throw DomainError.invalidParameter("cursor", "belongs to another list")
            }
            after = (createdAt, String(parts[1]))
        }
        let query: PostgresQuery = if let after {
            """
            SELECT \(unescaped: Self.bookingColumns) FROM bookings
            WHERE client_id = \(owner.clientID) AND subject = \(owner.subject) AND (created_at, id) < (\(after.createdAt), \(after.id))
            ORDER BY created_at DESC, id DESC LIMIT \(page.limit + 1)
            """
        } else {
            """
            SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE client_id = \(owner.clientID) AND subject = \(owner.subject)
            ORDER BY created_at DESC, id DESC LIMIT \(page.limit + 1)
            """
        }
        let found = try await read { connection in try await bookings(connection, query) }
        let items = Array(found.prefix(page.limit))
        let next = found.count > page.limit ? items.last.map { PageCursor(key: "\($0.createdAt.timeIntervalSince1970) \($0.id)", id: 0) } : nil
        return Page(items: items, next: next)
    }

    public func cancel(id: String, owner: BookingOwner, now: Date, today: LocalDate, promotion: Promotion) async throws -> Booking {
        try await transaction { connection in
            var booking = try await changeable(connection, id: id, owner: owner, today: today)
            try await free(connection, booking.slot)
            try await setStatus(connection, &booking, .cancelled, now: now)
            try await PostgresOutbox.voidReminder(connection, bookingID: booking.id, logger: logger)
            try await PostgresOutbox.append(connection, .booking(.bookingCancelled, booking, at: now), logger: logger)
            try await promote(connection, officeID: booking.slot.officeID, date: booking.slot.date, service: booking.slot.service, promotion)
            return booking
        }
    }

    public func reschedule(id: String, owner: BookingOwner, to slot: SlotKey, defaultCapacity: Int, now: Date, today: LocalDate,
                           noShowsSince: LocalDate, admit: @escaping @Sendable (BookingPreflight) throws -> Void,
                           promotion: Promotion) async throws -> Booking {
        try await transaction { connection in
            var booking = try await changeable(connection, id: id, owner: owner, today: today)
            guard booking.slot != slot else { return booking }
            let people = try await idHashes(connection, bookingID: id)
            let known = try await preflight(connection, officeID: slot.officeID, date: slot.date, service: slot.service, idHashes: Array(people),
                                            noShowsSince: noShowsSince)
            try admit(known)
            let previous = booking.slot
            let capacity = known.schedule?.capacity(for: slot.service) ?? defaultCapacity
            // The two slot rows are changed in one order (by day and period), so two couples swapping places cannot
            // deadlock; either way round the transaction takes the new place and frees the old, or does nothing.
            if (slot.date, slot.period) < (previous.date, previous.period) {
                try await take(connection, slot, defaultCapacity: capacity)
                try await free(connection, previous)
            } else {
                try await free(connection, previous)
                try await take(connection, slot, defaultCapacity: capacity)
            }
            try await connection.query("""
                UPDATE bookings SET date = \(slot.date.description), period = \(slot.period), updated_at = \(now.timeIntervalSince1970) WHERE id = \(id)
                """, logger: logger)
            // Marked active again so the one-active-booking index judges the moved booking anew.
            do {
                try await connection.query("""
                    UPDATE booking_applicants SET booking_date = \(slot.date.description), active = true WHERE booking_id = \(id)
                    """, logger: logger)
            } catch where error.sqlState == "23505" {
                throw BookingErrors.activeBookingExists
            }
            booking.slot = slot
            booking.updatedAt = now
            try await PostgresOutbox.voidReminder(connection, bookingID: id, logger: logger)
            try await PostgresOutbox.append(connection, .booking(.bookingRescheduled, booking, at: now, movedFrom: previous), logger: logger)
            try await PostgresOutbox.append(connection, .reminder(booking, at: now, policy: policy), logger: logger)
            try await PostgresOutbox.noteIfNearlyFull(connection, slot, schedule: known.schedule ?? standardSchedule, policy: policy, at: now,
                                                      logger: logger)
            try await promote(connection, officeID: previous.officeID, date: previous.date, service: previous.service, promotion)
            return booking
        }
    }

    /// A confirmed booking of `owner` whose day is still to come (after `today`), locked (`lockedBooking`).
    func changeable(_ connection: PostgresConnection, id: String, owner: BookingOwner, today: LocalDate) async throws -> Booking {
        guard let booking = try await lockedBooking(connection, id: id), booking.owner == owner else {
            throw BookingErrors.bookingNotFound(id)
        }
        guard booking.status == .confirmed else { throw BookingErrors.notConfirmed }
        guard booking.slot.date > today else { throw BookingErrors.tooLateToChange }
        return booking
    }

    /// The booking, with its office's lock (shared), its day's lock and its row lock, taken in that order. A booking
    /// moves only under its day's lock, so once the day it is on is locked, it stays there.
    func lockedBooking(_ connection: PostgresConnection, id: String) async throws -> Booking? {
        var locked: Set<LocalDate> = []
        while true {
            var place: (officeID: Int64, date: String)?
            for try await (officeID, day) in try await connection.query("SELECT office_id, date FROM bookings WHERE id = \(id)", logger: logger)
                .decode((Int64, String).self) {
                place = (officeID, day)
            }
            guard let found = place, let date = LocalDate(iso: found.date) else { return nil }
            if locked.contains(date) { break }
            if locked.isEmpty { try await lockOffice(connection, found.officeID, exclusive: false) }
            try await lockDay(connection, found.officeID, date)
            locked.insert(date)
        }
        return try await bookings(connection, "SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE id = \(id) FOR UPDATE").first
    }

    public func sealedIDNumbers(bookingID: String) async throws -> [Data] {
        var sealed: [Data] = []
        for try await value in try await client.query(
            "SELECT id_sealed FROM booking_applicants WHERE booking_id = \(bookingID) ORDER BY position", logger: logger).decode(Data.self) {
            sealed.append(value)
        }
        return sealed
    }

    public func revealApplicants(bookingID: String, audit: AuditRecord) async throws -> [(name: Data, idNumber: Data)] {
        try await transaction { connection in
            try await PostgresAudit.append(connection, audit, logger: logger)
            var sealed: [(name: Data, idNumber: Data)] = []
            for try await (name, id) in try await connection.query(
                "SELECT name_sealed, id_sealed FROM booking_applicants WHERE booking_id = \(bookingID) ORDER BY position", logger: logger
            ).decode((Data, Data).self) {
                sealed.append((name: name, idNumber: id))
            }
            return sealed
        }
    }

    public func idHashes(bookingID: String) async throws -> Set<String> {
        try await read { connection in try await idHashes(connection, bookingID: bookingID) }
    }

    func idHashes(_ connection: PostgresConnection, bookingID: String) async throws -> Set<String> {
        var hashes: Set<String> = []
        for try await hash in try await connection.query("SELECT id_hash FROM booking_applicants WHERE booking_id = \(bookingID)", logger: logger)
            .decode(String.self) {
            hashes.insert(hash)
        }
        return hashes
    }

    public func officeCalendar(officeID: Int64, from: LocalDate, to: LocalDate) async throws -> OfficeCalendar {
        try await snapshot { connection in
            var usage: [LocalDate: [SlotUsage]] = [:]
            for try await (day, period, serviceName, capacity, booked) in try await connection.query("""
                SELECT date, period, service, capacity, booked FROM slots
                WHERE office_id = \(officeID) AND date BETWEEN \(from.description) AND \(to.description)
                """, logger: logger).decode((String, String, String, Int, Int).self) {
                guard let date = LocalDate(iso: day), let service = MarriageService(rawValue: serviceName) else { continue }
                usage[date, default: []].append(SlotUsage(period: period, service: service, capacity: capacity, booked: booked))
            }
            var overrides: [LocalDate: OfficeDayOverride] = [:]
            for try await (day, kindName) in try await connection.query("""
                SELECT date, kind FROM office_days WHERE office_id = \(officeID) AND date BETWEEN \(from.description) AND \(to.description)
                """, logger: logger).decode((String, String).self) {
                if let date = LocalDate(iso: day), let kind = OfficeDayOverride(rawValue: kindName) { overrides[date] = kind }
            }
            return OfficeCalendar(usage: usage, overrides: overrides, schedule: try await officeSchedule(connection, officeID: officeID))
        }
    }

    public func acceptedDivorceApplication(id: String, idHashes: Set<String>, certificateID: String?) async throws -> LocalDate? {
        try await read { connection in
            var acceptedOn: String?
            for try await date in try await connection.query("""
                SELECT date FROM bookings a
                WHERE id = \(id) AND service = 'divorce_application' AND status = 'checked_in'
                  AND NOT EXISTS (SELECT 1 FROM bookings c
                                  WHERE c.divorce_application_id = a.id AND c.status IN ('confirmed', 'checked_in')
                                    AND c.id IS DISTINCT FROM \(certificateID))
                """, logger: logger).decode(String.self) {
                acceptedOn = date
            }
            guard let day = acceptedOn, try await self.idHashes(connection, bookingID: id) == idHashes else { return nil }
            return LocalDate(iso: day)
        }
    }

    public func officeSchedule(officeID: Int64) async throws -> OfficeSchedule? {
        try await read { connection in try await officeSchedule(connection, officeID: officeID) }
    }

    func officeSchedule(_ connection: PostgresConnection, officeID: Int64) async throws -> OfficeSchedule? {
        for try await (periods, marriage, application, certificate, reissue, minDays, maxDays, closing, release) in try await connection.query("""
            SELECT periods, capacity_marriage, capacity_divorce_application, capacity_divorce_certificate, capacity_reissue,
                   min_days_ahead, max_days_ahead, closing_hour, release_minute
            FROM office_schedules WHERE office_id = \(officeID)
            """, logger: logger).decode((String, Int, Int, Int, Int, Int, Int, Int, Int).self) {
            return Self.schedule(periods: periods, capacities: (marriage, application, certificate, reissue), window: (minDays, maxDays, closing, release))
        }
        return nil
    }

    /// An `office_schedules` row as the schedule it stores.
    static func schedule(periods: String, capacities: (marriage: Int, application: Int, certificate: Int, reissue: Int),
                         window: (minDays: Int, maxDays: Int, closing: Int, release: Int)) -> OfficeSchedule {
        OfficeSchedule(
            periods: periods.split(separator: ",").compactMap(OfficeSchedule.Period.init),
            defaultCapacity: [.marriage: capacities.marriage, .divorceApplication: capacities.application,
                              .divorceCertificate: capacities.certificate, .reissue: capacities.reissue],
            window: BookingWindow(minDaysAhead: window.minDays, maxDaysAhead: window.maxDays, closingHour: window.closing,
                                  releaseMinute: window.release))
    }

    public func setOfficeSchedule(officeID: Int64, _ schedule: OfficeSchedule, from: LocalDate, audit: AuditRecord,
                                  promotion: Promotion) async throws {
        try await transaction { connection in
            // Exclusive: no booking of the office lands in a dropped period between the check and the commit.
            try await lockOffice(connection, officeID, exclusive: true)
            var dropped: [String] = []
            for try await period in try await connection.query("""
                SELECT DISTINCT period FROM bookings
                WHERE office_id = \(officeID) AND date >= \(from.description) AND status = 'confirmed'
                  AND period <> ALL(\(schedule.periods.map(\.name)))
                ORDER BY period
                """, logger: logger).decode(String.self) {
                dropped.append(period)
            }
            guard dropped.isEmpty else { throw BookingErrors.periodInUse(dropped) }
            try await connection.query("""
                INSERT INTO office_schedules (office_id, periods, capacity_marriage, capacity_divorce_application,
                    capacity_divorce_certificate, capacity_reissue, min_days_ahead, max_days_ahead, closing_hour, updated_at, release_minute)
                VALUES (\(officeID), \(schedule.periods.map(\.description).joined(separator: ",")), \(schedule.capacity(for: .marriage)),
                        \(schedule.capacity(for: .divorceApplication)), \(schedule.capacity(for: .divorceCertificate)),
                        \(schedule.capacity(for: .reissue)), \(schedule.window.minDaysAhead), \(schedule.window.maxDaysAhead),
                        \(schedule.window.closingHour), \(audit.at.timeIntervalSince1970), \(schedule.window.releaseMinute))
                ON CONFLICT (office_id) DO UPDATE SET periods = excluded.periods,
                    capacity_marriage = excluded.capacity_marriage, capacity_divorce_application = excluded.capacity_divorce_application,
                    capacity_divorce_certificate = excluded.capacity_divorce_certificate, capacity_reissue = excluded.capacity_reissue,
                    min_days_ahead = excluded.min_days_ahead, max_days_ahead = excluded.max_days_ahead,
                    closing_hour = excluded.closing_hour, updated_at = excluded.updated_at, release_minute = excluded.release_minute
                """, logger: logger)
            // New periods or larger default capacities: the days people wait for may have room now.
            var waiting: [(date: LocalDate, service: MarriageService)] = []
            for try await (day, serviceName) in try await connection.query("""
                SELECT DISTINCT date, service FROM waitlist_entries WHERE office_id = \(officeID) AND status = 'waiting' ORDER BY date, service
                """, logger: logger).decode((String, String).self) {
                if let date = LocalDate(iso: day), let service = MarriageService(rawValue: serviceName) { waiting.append((date, service)) }
            }
            for (date, service) in waiting { try await promote(connection, officeID: officeID, date: date, service: service, promotion) }
            try await PostgresAudit.append(connection, audit, logger: logger)
            // New periods and default capacities live in no period's row, so the slots trigger cannot tell the other
            // processes; this does, at the commit, in the trigger's form.
            try await connection.query("""
                SELECT pg_notify(\(PostgresOfficeChanges.channel), 'changed ' || \(officeID)::bigint || ' ' || current_schema())
                """, logger: logger)
        }
    }

    public func setCapacity(officeID: Int64, dates: [LocalDate], periods: [String], service: MarriageService, capacity: Int,
                            audit: AuditRecord, promotion: Promotion) async throws {
        try await transaction { connection in
            // Exclusive: the promotions below read and fill the office's days with no other write there.
            try await lockOffice(connection, officeID, exclusive: true)
            // One statement may not update a row twice: each day and period once.
            let days = Set(dates.map(\.description)).sorted(), names = Set(periods).sorted()
            do {
                try await connection.query("""
                    INSERT INTO slots (office_id, date, period, service, capacity, booked)
                    SELECT \(officeID), d, p, \(service.rawValue), \(capacity), 0 FROM unnest(\(days)::text[]) AS d, unnest(\(names)::text[]) AS p
                    ON CONFLICT (office_id, date, period, service) DO UPDATE SET capacity = excluded.capacity
                    """, logger: logger)
            } catch where error.sqlState == "23514" {
                throw BookingErrors.capacityBelowBooked
            }
            // Places added go to the waiting couples at once, in the same transaction.
            for date in dates { try await promote(connection, officeID: officeID, date: date, service: service, promotion) }
            try await PostgresAudit.append(connection, audit, logger: logger)
        }
    }

    public func closeDay(officeID: Int64, date: LocalDate, reason: String, audit: AuditRecord) async throws -> [Booking] {
        try await transaction { connection in
            // Exclusive: no booking of the day is made or moved while it closes; the row locks below make a
            // concurrent check-in wait, then find the booking cancelled.
            try await lockOffice(connection, officeID, exclusive: true)
            try await setOfficeDay(connection, officeID: officeID, date: date, .closed, reason: reason)
            var cancelled = try await bookings(connection, """
                SELECT \(unescaped: Self.bookingColumns) FROM bookings
                WHERE office_id = \(officeID) AND date = \(date.description) AND status = 'confirmed' ORDER BY created_at, id FOR UPDATE
                """)
            for index in cancelled.indices {
                try await free(connection, cancelled[index].slot)
                try await setStatus(connection, &cancelled[index], .cancelledByOffice, now: audit.at)
                try await PostgresOutbox.voidReminder(connection, bookingID: cancelled[index].id, logger: logger)
                try await PostgresOutbox.append(connection, .booking(.bookingCancelledByOffice, cancelled[index], at: audit.at), logger: logger)
            }
            // The day's waiting couples are told in their entries: no place can come to them now, and each of them
            // may wait elsewhere (one waitlist entry per person).
            let waiting = try await connection.query("""
                SELECT id FROM waitlist_entries WHERE office_id = \(officeID) AND date = \(date.description) AND status = 'waiting' FOR UPDATE
                """, logger: logger).collect().map { try $0.decode(String.self) }
            for id in waiting {
                try await endWaiting(connection, id: id, status: .skipped, note: BookingErrors.officeClosed.code, bookingID: nil, at: audit.at)
            }
            try await PostgresOutbox.append(connection, .officeClosed(officeID: officeID, date: date, reason: reason, cancelled: cancelled.count,
                                                                      at: audit.at), logger: logger)
            try await PostgresAudit.append(connection, audit, logger: logger)
            return cancelled
        }
    }

    public func openDay(officeID: Int64, date: LocalDate, reason: String, audit: AuditRecord, promotion: Promotion) async throws {
        try await transaction { connection in
            // Exclusive: the promotions below read and fill the day with no other write at the office.
            try await lockOffice(connection, officeID, exclusive: true)
            try await setOfficeDay(connection, officeID: officeID, date: date, .open, reason: reason)
            for service in MarriageService.allCases { try await promote(connection, officeID: officeID, date: date, service: service, promotion) }
            try await PostgresAudit.append(connection, audit, logger: logger)
        }
    }

    func setOfficeDay(_ connection: PostgresConnection, officeID: Int64, date: LocalDate, _ kind: OfficeDayOverride, reason: String) async throws {
        try await connection.query("""
            INSERT INTO office_days (office_id, date, kind, reason) VALUES (\(officeID), \(date.description), \(kind.rawValue), \(reason))
            ON CONFLICT (office_id, date) DO UPDATE SET kind = excluded.kind, reason = excluded.reason
            """, logger: logger)
    }

    public func roster(officeID: Int64, date: LocalDate) async throws -> [Booking] {
        try await read { connection in
            try await bookings(connection, """
                SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE office_id = \(officeID) AND date = \(date.description)
                ORDER BY period, created_at, id
                """)
        }
    }

    public func transition(id: String, to status: BookingStatus, audit: AuditRecord) async throws -> Booking {
        try await transaction { connection in
            // The row lock makes a concurrent cancellation, closure or second check-in wait, then find it no longer confirmed.
            guard var booking = try await bookings(connection, "SELECT \(unescaped: Self.bookingColumns) FROM bookings WHERE id = \(id) FOR UPDATE")
                .first
            else { throw BookingErrors.bookingNotFound(id) }
            guard booking.status == .confirmed else { throw BookingErrors.notConfirmed }
            try await setStatus(connection, &booking, status, now: audit.at)
            try await PostgresOutbox.voidReminder(connection, bookingID: id, logger: logger)
            if status == .noShow { try await PostgresOutbox.append(connection, .booking(.bookingNoShow, booking, at: audit.at), logger: logger) }
            try await PostgresAudit.append(connection, audit, logger: logger)
            return booking
        }
    }

    // MARK: Rows

    func setStatus(_ connection: PostgresConnection, _ booking: inout Booking, _ status: BookingStatus, now: Date) async throws {
        try await connection.query("""
            UPDATE bookings SET status = \(status.rawValue), updated_at = \(now.timeIntervalSince1970) WHERE id = \(booking.id)
            """, logger: logger)
        if !status.isActive {
            try await connection.query("UPDATE booking_applicants SET active = false WHERE booking_id = \(booking.id)", logger: logger)
        }
        booking.status = status
        booking.updatedAt = now
    }

    static let bookingColumns = "id, code, client_id, subject, office_id, date, period, service, status, divorce_application_id, created_at, updated_at"

    /// The bookings `query` selects (`bookingColumns`), with their applicants, read in one more statement.
    func bookings(_ connection: PostgresConnection, _ query: PostgresQuery) async throws -> [Booking] {
        let rows = try await connection.query(query, logger: logger).collect().map {
            try $0.decode((String, String, Int64, String, Int64, String, String, String, String, String?, Double, Double).self)
        }
        guard !rows.isEmpty else { return [] }
        var applicants: [String: [MaskedApplicant]] = [:]
        for try await (bookingID, name, idNumber, phone) in try await connection.query("""
            SELECT booking_id, name_masked, id_masked, phone_masked FROM booking_applicants
            WHERE booking_id = ANY(\(rows.map { $0.0 })) ORDER BY booking_id, position
            """, logger: logger).decode((String, String, String, String).self) {
            applicants[bookingID, default: []].append(MaskedApplicant(name: name, idNumber: idNumber, phone: phone))
        }
        return try rows.map { row in
            let (id, code, clientID, subject, officeID, day, period, serviceName, statusName, divorceApplicationID, createdAt, updatedAt) = row
            guard let date = LocalDate(iso: day), let service = MarriageService(rawValue: serviceName), let status = BookingStatus(rawValue: statusName)
            else { throw PostgresDatabaseError("booking \(id) has an unreadable row") }
            return Booking(
                id: id, code: code, owner: BookingOwner(clientID: clientID, subject: subject),
                slot: SlotKey(officeID: officeID, date: date, period: period, service: service), status: status,
                applicants: applicants[id] ?? [], divorceApplicationID: divorceApplicationID,
                createdAt: Date(timeIntervalSince1970: createdAt), updatedAt: Date(timeIntervalSince1970: updatedAt))
        }
    }

    /// Writes a booking that has just taken its place, direct or from a queue: its people's bookings of days gone by
    /// stop counting as active, then the booking, its applicants, its confirmation and reminder, and (once) the day's
    /// nearly-full notice, unless the caller checks that itself after a batch (`notingNearlyFull` false: the draw).
    func insertConfirmed(_ connection: PostgresConnection, _ booking: Booking, applicants: [SealedApplicant], today: LocalDate, source: String?,
                         schedule: OfficeSchedule, notingNearlyFull: Bool = true) async throws {
        try await expire(connection, idHashes: applicants.map(\.idHash), before: today)
        do {
            try await insert(connection, booking, applicants: applicants)
        } catch where error.sqlState == "23505" {
            switch error.constraintName {
            case "one_active_booking_per_person"?: throw BookingErrors.activeBookingExists
            case "bookings_code"?: throw BookingErrors.codeTaken
            default: throw error
            }
        }
        try await PostgresOutbox.append(connection, [.booking(.bookingConfirmed, booking, at: booking.createdAt, source: source),
                                                     .reminder(booking, at: booking.createdAt, policy: policy)], logger: logger)
        if notingNearlyFull {
            try await PostgresOutbox.noteIfNearlyFull(connection, booking.slot, schedule: schedule, policy: policy, at: booking.createdAt, logger: logger)
        }
    }

    /// Inserts a booking and its applicants.
    func insert(_ connection: PostgresConnection, _ booking: Booking, applicants: [SealedApplicant]) async throws {
        let slot = booking.slot
        try await connection.query("""
            INSERT INTO bookings (id, code, client_id, subject, office_id, date, period, service, status, divorce_application_id, created_at, updated_at)
            VALUES (\(booking.id), \(booking.code), \(booking.owner.clientID), \(booking.owner.subject), \(slot.officeID), \(slot.date.description),
                    \(slot.period), \(slot.service.rawValue), 'confirmed', \(booking.divorceApplicationID), \(booking.createdAt.timeIntervalSince1970),
                    \(booking.updatedAt.timeIntervalSince1970))
            """, logger: logger)
        // One statement, rows in ID-hash order (see inHashOrder).
        let ordered = Self.inHashOrder(applicants)
        try await connection.query("""
            INSERT INTO booking_applicants (booking_id, position, id_hash, active, booking_date, name_sealed, id_sealed, phone_sealed,
                                            name_masked, id_masked, phone_masked)
            SELECT \(booking.id), u.position, u.id_hash, true, \(slot.date.description), decode(u.name, 'hex'), decode(u.id, 'hex'),
                   decode(u.phone, 'hex'), u.name_masked, u.id_masked, u.phone_masked
            FROM unnest(\(ordered.map(\.position))::integer[], \(ordered.map(\.applicant.idHash))::text[],
                        -- Sealed fields as hex: arrays of bytea cannot be bound.
                        \(ordered.map(\.applicant.name.hexString))::text[], \(ordered.map(\.applicant.idNumber.hexString))::text[],
                        \(ordered.map(\.applicant.phone.hexString))::text[],
                        \(ordered.map(\.applicant.masked.name))::text[], \(ordered.map(\.applicant.masked.idNumber))::text[],
                        \(ordered.map(\.applicant.masked.phone))::text[])
                WITH ORDINALITY AS u(position, id_hash, name, id, phone, name_masked, id_masked, phone_masked, ordinal)
            ORDER BY u.ordinal
            """, logger: logger)
    }

    /// Applicants with their positions, inserted in ID-hash order: two requests naming the same two people meet
    /// the unique indexes in the same order, rather than each holding one person and waiting for the other.
    static func inHashOrder(_ applicants: [SealedApplicant]) -> [(position: Int, applicant: SealedApplicant)] {
        applicants.enumerated().map { (position: $0.offset, applicant: $0.element) }.sorted { $0.applicant.idHash < $1.applicant.idHash }
    }

    // MARK: Transactions and locks

    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.transaction(logger: logger, body)
    }

    /// Reads on one connection; each statement sees what was committed when it began.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { connection in try await body(connection) }
    }

    func snapshot<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await client.snapshot(logger: logger, body)
    }

    /// Runs `body` in a savepoint (GRDB's `inSavepoint`): what it throws undoes its own writes only, and the
    /// transaction goes on. A nested savepoint of the same name would hide this one until released, so one name serves.
    func savepoint<T>(_ connection: PostgresConnection, _ body: () async throws -> T) async throws -> T {
        try await connection.query("SAVEPOINT queued", logger: logger)
        do {
            let value = try await body()
            try await connection.query("RELEASE SAVEPOINT queued", logger: logger)
            return value
        } catch {
            try await connection.query("ROLLBACK TO SAVEPOINT queued", logger: logger)
            try await connection.query("RELEASE SAVEPOINT queued", logger: logger)
            throw error
        }
    }

    // SQLite runs one write at a time; here several API processes write side by side. Where a write reads and then acts
    // on what it read, an advisory lock held to the commit stands in for SQLite's writer lock. Keys are pairs, (office, 0)
    // and (office, day number), a space apart from the single keys of migrations, the audit log and the seed import.
    // Transactions take them before touching a row, an office's before a day's.

    /// Shared by every write that books, frees or queues at the office; exclusive for staff changes to its days,
    /// capacities and schedule, whose checks and promotions need no booking there to change meanwhile.
    func lockOffice(_ connection: PostgresConnection, _ officeID: Int64, exclusive: Bool) async throws {
        let office = Int32(truncatingIfNeeded: officeID)
        if exclusive {
            try await connection.run("SELECT pg_advisory_xact_lock(\(office), 0)", logger: logger)
        } else {
            try await connection.run("SELECT pg_advisory_xact_lock_shared(\(office), 0)", logger: logger)
        }
    }

    /// One writer at a time reads and changes a day's waitlist and draw (taken after the office's shared lock).
    func lockDay(_ connection: PostgresConnection, _ officeID: Int64, _ date: LocalDate) async throws {
        try await connection.run("""
            SELECT pg_advisory_xact_lock(\(Int32(truncatingIfNeeded: officeID)), \(Int32(truncatingIfNeeded: date.dayNumber)))
            """, logger: logger)
    }
}

extension PostgresBookingStore: AuditStore {
    public func auditTrail(after id: Int64, limit: Int) async throws -> [AuditEntry] {
        try await PostgresAudit.trail(client, after: id, limit: limit, logger: logger)
    }
}
