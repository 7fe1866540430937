import Foundation
import Logging
import MinzhengCore
import MinzhengServer
import MinzhengTesting
import Synchronization
import Testing

/// Rules that need time to pass (cooling-off, no-show bars), run on the real SQLite stores with a clock
/// the test moves.
@Suite struct BookingTimeRulesTests {
    final class Clock: Sendable {
        private let current = Mutex(Date())
        func set(_ date: String, hour: Int = 9) { current.withLock { $0 = LocalDate(iso: date)!.instant(hour: hour) } }
        var now: Date { current.withLock { $0 } }
    }

    struct World {
        let services: Services
        let citizen: CitizenSession
        let clerk: StaffMember
    }

    func withWorld(_ clock: Clock, configure: (inout ServerConfiguration) -> Void = { _ in }, _ body: (World) async throws -> Void) async throws {
        let directory = try await seededDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var configuration = try await testConfiguration(directory)
        configure(&configuration)
        let services = try await watched("starting the services") { try await Services.start(configuration, logger: logger, now: { clock.now }) }
        try await closing(services.storage) {
            let client = try await services.identity.createClient(name: "app").client
            let clerk = try await services.identity.createStaff(username: "clerk", password: "long enough password", role: .clerk, division: DivisionCode("3201")!)
            try await watched("the test's body", seconds: 120) {
                try await body(World(services: services, citizen: CitizenSession(clientID: client.id, subject: "s", expiresAt: .distantFuture), clerk: clerk))
            }
        }
    }

    func request(_ service: MarriageService, _ date: String, couple n: Int, application: String? = nil) -> BookingRequest {
        let (man, woman) = TestIDs.couple(n)
        return BookingRequest(officeID: 9, date: date, period: "09:00", service: service.rawValue,
                              applicants: [ApplicantInput(name: "张三", idNumber: man, phone: "13800138000"),
                                           ApplicantInput(name: "李四", idNumber: woman, phone: "13900139000")],
                              divorceApplicationID: application)
    }

    func book(_ world: World, _ request: BookingRequest) async throws -> Booking {
        guard case .created(let booking) = try await world.services.bookings.book(request, for: world.citizen, idempotencyKey: nil) else {
            throw DomainError.notFound("replayed")
        }
        return booking
    }

    func code(of work: () async throws -> Void) async -> String? {
        do { try await work(); return nil } catch let error as DomainError { return error.code } catch { return "\(error)" }
    }

    @Test func theCertificateFallsInDays31To60AfterAcceptance() async throws {
        let clock = Clock()
        try await withWorld(clock) { world in
            // Three couples apply for divorce on Wednesday 2026-06-03 and are accepted that day.
            clock.set("2026-06-01")
            var applications: [String] = []
            for n in 1...3 { applications.append(try await book(world, request(.divorceApplication, "2026-06-03", couple: n)).id) }
            clock.set("2026-06-03", hour: 10)
            for id in applications {
                let booking = try #require(try await world.services.storage.bookings.booking(id: id))
                _ = try await world.services.bookings.finish(code: booking.code, as: .checkedIn, by: world.clerk)
            }
            // Day 17: still cooling off.
            clock.set("2026-06-15")
            #expect(await code { _ = try await book(world, request(.divorceCertificate, "2026-06-22", couple: 1, application: applications[0])) } == "cooling_off_window")
            // Day 33 (2026-07-06, a Monday): inside; a retry of it gets the same booking.
            clock.set("2026-07-01")
            let first = request(.divorceCertificate, "2026-07-06", couple: 1, application: applications[0])
            let created = try await world.services.bookings.book(first, for: world.citizen, idempotencyKey: "cert-1")
            guard case .created(let firstCertificate) = created else { Issue.record("not created"); return }
            let again = try await world.services.bookings.book(first, for: world.citizen, idempotencyKey: "cert-1")
            guard case .replayed(let replayed) = again else { Issue.record("not replayed: \(again)"); return }
            #expect(replayed.id == firstCertificate.id)
            // Day 60 is Sunday 2026-08-02; the deadline moves to Monday 08-03, and no further.
            clock.set("2026-07-20")
            #expect(try await book(world, request(.divorceCertificate, "2026-08-03", couple: 2, application: applications[1])).status == .confirmed)
            #expect(await code { _ = try await book(world, request(.divorceCertificate, "2026-08-04", couple: 3, application: applications[2])) } == "cooling_off_window")
            // Another couple cannot use someone else's application, nor a couple one application twice.
            #expect(await code { _ = try await book(world, request(.divorceCertificate, "2026-07-22", couple: 9, application: applications[2])) } == "divorce_application_not_found")
            clock.set("2026-07-06", hour: 10)
            let certificate = try #require(try await world.services.storage.bookings.roster(officeID: 9, date: LocalDate(iso: "2026-07-06")!).first)
            _ = try await world.services.bookings.finish(code: certificate.code, as: .checkedIn, by: world.clerk)
            clock.set("2026-07-07")
            #expect(await code { _ = try await book(world, request(.divorceCertificate, "2026-07-09", couple: 1, application: applications[0])) } == "divorce_application_not_found")
        }
    }

    /// The couple books 2026-06-03 and 2026-06-10 and misses both (the clock ends on 2026-06-10 evening).
    func twoNoShows(_ world: World, _ clock: Clock, couple: Int) async throws {
        clock.set("2026-06-01")
        let first = try await book(world, request(.marriage, "2026-06-03", couple: couple))
        clock.set("2026-06-03", hour: 18)
        _ = try await world.services.bookings.finish(code: first.code, as: .noShow, by: world.clerk)
        let second = try await book(world, request(.marriage, "2026-06-10", couple: couple))
        clock.set("2026-06-10", hour: 18)
        _ = try await world.services.bookings.finish(code: second.code, as: .noShow, by: world.clerk)
    }

    @Test func twoNoShowsWithin30DaysBarBooking() async throws {
        let clock = Clock()
        try await withWorld(clock) { world in
            try await twoNoShows(world, clock, couple: 5)
            clock.set("2026-06-11")
            #expect(await code { _ = try await book(world, request(.marriage, "2026-06-15", couple: 5)) } == "booking_barred")
            clock.set("2026-06-25")
            #expect(await code { _ = try await book(world, request(.marriage, "2026-06-29", couple: 5)) } == "booking_barred")
            clock.set("2026-06-26")
            #expect(try await book(world, request(.marriage, "2026-06-29", couple: 5)).status == .confirmed)
        }
    }

    /// A province with a longer bar (`MINZHENG_NO_SHOW_RULE=2/30/20`): the day the standard bar ends, this one holds.
    @Test func aProvinceSetsItsOwnNoShowBar() async throws {
        let clock = Clock()
        try await withWorld(clock, configure: { $0.bookingRules.barDays = 20 }) { world in
            try await twoNoShows(world, clock, couple: 8)
            clock.set("2026-06-26")
            #expect(await code { _ = try await book(world, request(.marriage, "2026-06-29", couple: 8)) } == "booking_barred")
            clock.set("2026-06-30")
            #expect(await code { _ = try await book(world, request(.marriage, "2026-07-03", couple: 8)) } == "booking_barred")
            clock.set("2026-07-01")
            #expect(try await book(world, request(.marriage, "2026-07-03", couple: 8)).status == .confirmed)
        }
    }

    @Test func aConfirmedBookingOfAPastDayNoLongerBlocks() async throws {
        let clock = Clock()
        try await withWorld(clock) { world in
            clock.set("2026-06-01")
            _ = try await book(world, request(.marriage, "2026-06-03", couple: 6))
            #expect(await code { _ = try await book(world, request(.marriage, "2026-06-05", couple: 6)) } == "active_booking_exists")
            clock.set("2026-06-04")
            #expect(try await book(world, request(.marriage, "2026-06-08", couple: 6)).status == .confirmed)
        }
    }

    @Test func cancellingOrMovingIsOverOnTheDay() async throws {
        let clock = Clock()
        try await withWorld(clock) { world in
            clock.set("2026-06-01")
            let booking = try await book(world, request(.marriage, "2026-06-03", couple: 7))
            clock.set("2026-06-03", hour: 8)
            #expect(await code { _ = try await world.services.bookings.cancel(booking.id, of: world.citizen) } == "too_late_to_change")
            #expect(await code { _ = try await world.services.bookings.reschedule(booking.id, of: world.citizen, date: "2026-06-05", period: "10:00") } == "too_late_to_change")
            // The day before, both are fine.
            clock.set("2026-06-01")
            let moved = try await world.services.bookings.reschedule(booking.id, of: world.citizen, date: "2026-06-04", period: "10:00")
            #expect(moved.slot.date.description == "2026-06-04")
            #expect(try await world.services.bookings.cancel(booking.id, of: world.citizen).status == .cancelled)
        }
    }

    @Test func aMoveIsJudgedLikeABooking() async throws {
        let clock = Clock()
        try await withWorld(clock) { world in
            clock.set("2026-06-01")
            // She turns 20 on 2026-06-10: a marriage booked for that day cannot move to the 9th.
            let man = TestIDs.make(birth: "19990101", sequence: 1), woman = TestIDs.make(birth: "20060610", sequence: 2)
            let young = BookingRequest(officeID: 9, date: "2026-06-10", period: "09:00", service: "marriage",
                                       applicants: [ApplicantInput(name: "张三", idNumber: man, phone: "13800138000"),
                                                    ApplicantInput(name: "李四", idNumber: woman, phone: "13900139000")],
                                       divorceApplicationID: nil)
            let booking = try await book(world, young)
            #expect(await code { _ = try await world.services.bookings.reschedule(booking.id, of: world.citizen, date: "2026-06-09", period: "09:00") } == "underage")
            // A closed day or a weekend is refused, and the booking stays where it was.
            let manager = try await world.services.identity.createStaff(username: "province-manager", password: "long enough password", role: .manager, division: DivisionCode("32")!)
            _ = try await world.services.bookings.closeDay(officeID: 9, date: "2026-06-11", reason: "检修", by: manager)
            #expect(await code { _ = try await world.services.bookings.reschedule(booking.id, of: world.citizen, date: "2026-06-11", period: "09:00") } == "office_closed")
            #expect(await code { _ = try await world.services.bookings.reschedule(booking.id, of: world.citizen, date: "2026-06-13", period: "09:00") } == "office_closed")
            #expect(try await world.services.bookings.booking(booking.id, of: world.citizen).slot.date.description == "2026-06-10")
        }
    }

    @Test func staffChangesAreAuditedInAChain() async throws {
        let clock = Clock()
        try await withWorld(clock) { world in
            clock.set("2026-06-01")
            let manager = try await world.services.identity.createStaff(username: "manager", password: "long enough password", role: .manager,
                                                                        division: DivisionCode("3201")!)
            try await world.services.bookings.setCapacity(officeID: 9, date: "2026-06-03", from: nil, to: nil, period: nil, service: "marriage",
                                                          capacity: 12, by: manager)
            _ = try await world.services.bookings.closeDay(officeID: 9, date: "2026-06-04", reason: "检修", by: manager)
            let audit = try await world.services.storage.audit.auditTrail()
            #expect(audit.map(\.action) == ["capacity.set", "office.close"])
            #expect(audit.allSatisfy { $0.staffID == manager.id })
            #expect(audit[1].previousHash == audit[0].hash)
            #expect(audit[0].previousHash == AuditChain.genesis)
        }
    }
}

@Suite struct RestartTests {
    @Test func aRetryAfterARestartStillGetsItsBooking() async throws {
        let directory = try await seededDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let configuration = try await testConfiguration(directory)
        let clock = BookingTimeRulesTests.Clock()
        clock.set("2026-06-01")
        let (man, woman) = TestIDs.couple(70)
        let request = BookingRequest(officeID: 9, date: "2026-06-03", period: "09:00", service: "marriage",
                                     applicants: [ApplicantInput(name: "张三", idNumber: man, phone: "13800138000"),
                                                  ApplicantInput(name: "李四", idNumber: woman, phone: "13900139000")],
                                     divorceApplicationID: nil)
        var first: Booking? = nil
        var session: CitizenSession? = nil
        do {
            let services = try await Services.start(configuration, logger: logger, now: { clock.now })
            let client = try await services.identity.createClient(name: "app").client
            session = CitizenSession(clientID: client.id, subject: "s", expiresAt: .distantFuture)
            let manager = try await services.identity.createStaff(username: "manager", password: "long enough password", role: .manager,
                                                                  division: DivisionCode("32")!)
            try await services.bookings.setCapacity(officeID: 9, date: "2026-06-03", from: nil, to: nil, period: "09:00", service: "marriage",
                                                    capacity: 1, by: manager)
            if case .created(let booking) = try await services.bookings.book(request, for: session!, idempotencyKey: "key-70") { first = booking }
            await services.storage.close()
        }
        // A new process on the same data: the period is full, and the retry is recognised.
        let restarted = try await Services.start(configuration, logger: logger, now: { clock.now })
        try await closing(restarted.storage) {
            let other = BookingRequest(officeID: 9, date: "2026-06-03", period: "09:00", service: "marriage",
                                       applicants: [ApplicantInput(name: "王五", idNumber: TestIDs.couple(71).man, phone: "13800138001"),
                                                    ApplicantInput(name: "赵六", idNumber: TestIDs.couple(71).woman, phone: "13900139001")],
                                       divorceApplicationID: nil)
            await #expect(throws: BookingErrors.slotFull) { _ = try await restarted.bookings.book(other, for: session!, idempotencyKey: "key-71") }
            let retry = try await restarted.bookings.book(request, for: session!, idempotencyKey: "key-70")
            guard case .replayed(let replayed) = retry else { Issue.record("expected a replay, got \(retry)"); return }
            #expect(replayed.id == first?.id)
        }
    }
}
