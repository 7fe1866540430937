import Foundation
import Logging
import MinzhengCore
import MinzhengPostgres
import MinzhengServer
import MinzhengTesting
import Testing

/// `minzheng copy-to-postgres`: an SQLite installation in use (bookings, a cancellation, a webhook and its
/// deliveries, audited staff changes) arrives in PostgreSQL whole, and the service goes on there.
@Suite struct CopyToPostgresTests {
    // The SQLite pass of `make test`: the world is SQLite, the target PostgreSQL.
    @Test(.enabled(if: ScaleOutTests.databaseURL != nil && Fixtures.postgresURLForWorlds == nil, "needs MINZHENG_TEST_DATABASE_URL"))
    func anSQLiteInstallationArrivesWhole() async throws {
        try await withNotifyWorld { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let hook = try await world.addWebhook("webhook", url: receiver.url("hook", "k"), events: ["booking.confirmed"], token: manager)
            receiver.setSecret("k", try #require(hook.secret))
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(3, date: date, period: "09:00", token: manager).status == .noContent)
            let citizen = try await world.citizen("mover")
            let made = try await world.bookMany(4, first: 50_000, date: date, token: citizen)
            #expect(try await world.request(.post, "/v1/marriage-bookings/\(made[0].id)/cancel", token: citizen).status == .ok)
            let application = try await world.apply(couple: 50_200, token: citizen).decode(ApplicationBody.self)
            #expect(try await world.advance(application.number, #"{"status":"accepted"}"#, token: manager).status == .ok)
            let old = world.services.storage
            try await eventually(seconds: 20) {
                try await old.notifications.deliveries(subscriptionIDs: [hook.id], status: .delivered, limit: 100).count == 4
            }

            var logger = Logger(label: "test")
            logger.logLevel = .warning
            var target = world.configuration
            target.databaseURL = try await Self.emptyDatabase()
            let report = try await DatabaseCopy.copy(sqlitePath: world.configuration.databasePath, to: target, logger: logger)
            #expect(report.rows.first { $0.table == "bookings" }?.count == 4)
            #expect(report.rows.first { $0.table == "divisions" }?.count == (try await old.lookups.divisions().count))

            // The same key (the data directory's) reads the moved installation.
            target.notifyWorker = false
            let moved = try await Services.start(target, logger: logger)
            try await closing(moved.storage) {
                let new = moved.storage
                #expect(new.sqlite == nil)
                for booking in made {
                    #expect(try await new.bookings.booking(id: booking.id) == (try await old.bookings.booking(id: booking.id)))
                    #expect(try await new.bookings.idHashes(bookingID: booking.id) == (try await old.bookings.idHashes(bookingID: booking.id)))
                }
                let day = try #require(LocalDate(iso: date))
                #expect(try await new.bookings.officeCalendar(officeID: BookingWorld.nanjingXuanwu, from: day, to: day).usage
                            == (try await old.bookings.officeCalendar(officeID: BookingWorld.nanjingXuanwu, from: day, to: day).usage))
                let trail = try await new.audit.auditTrail(), trailBefore = try await old.audit.auditTrail()
                #expect(!trail.isEmpty && trail == trailBefore)
                #expect(try await new.notifications.deliveries(subscriptionIDs: [hook.id], status: nil, limit: 100)
                            == (try await old.notifications.deliveries(subscriptionIDs: [hook.id], status: nil, limit: 100)))
                #expect(try await new.socialOrgs.socialOrgs().count == (try await old.socialOrgs.socialOrgs().count))
                #expect(try await new.serviceCatalogue.serviceCatalogue() == (try await old.serviceCatalogue.serviceCatalogue()))
                let movedApplication = try await new.applications.application(number: application.number)
                let originalApplication = try await old.applications.application(number: application.number)
                #expect(movedApplication != nil && movedApplication?.record == originalApplication?.record
                            && movedApplication?.lookupHash == originalApplication?.lookupHash)
                let facilities = try await new.eldercare.facilities(), before = try await old.eldercare.facilities()
                #expect(facilities.map(\.id) == before.map(\.id) && facilities.map(\.careLevels) == before.map(\.careLevels)
                            && facilities.map(\.updatedAt) == before.map(\.updatedAt) && facilities.map(\.bedsFree) == before.map(\.bedsFree))

                // Ids go on after the copied ones: a new client, a staff member, and a booking (with its events) that
                // is refused only for the reason the rules give.
                let client = try await moved.identity.createClient(name: "搬迁后").client
                #expect(client.id > 1)
                let (man, woman) = TestIDs.couple(50_100)
                let request = BookingRequest(officeID: BookingWorld.nanjingXuanwu, date: date, period: "10:00", service: "marriage",
                                             applicants: [ApplicantInput(name: "张三", idNumber: man, phone: "13800138000"),
                                                          ApplicantInput(name: "李四", idNumber: woman, phone: "13900139000")],
                                             divorceApplicationID: nil)
                let session = CitizenSession(clientID: client.id, subject: "after", expiresAt: .distantFuture)
                guard case .created(let booking) = try await moved.bookings.book(request, for: session, idempotencyKey: "after-move") else {
                    Issue.record("the booking after the move was not created")
                    return
                }
                #expect(try await new.bookings.booking(id: booking.id)?.status == .confirmed)
                let clerk = try await moved.identity.createStaff(username: "after-move", password: BookingWorld.password, role: .clerk,
                                                                division: DivisionCode("3201")!)
                #expect(clerk.id > 4)
                // A second copy into the same database is refused, and changes nothing.
                await #expect(throws: ConfigurationError.self) {
                    try await DatabaseCopy.copy(sqlitePath: world.configuration.databasePath, to: target, logger: logger)
                }
                #expect(try await new.bookings.booking(id: made[1].id)?.status == .confirmed)
            }
        }
    }

    /// A new database with nothing in it (not a copy of the seeded template).
    static func emptyDatabase() async throws -> String {
        try await PostgresTemplate.shared.freshDatabase(try #require(ScaleOutTests.databaseURL), empty: true)
    }
}
