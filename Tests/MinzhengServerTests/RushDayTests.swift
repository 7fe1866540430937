import Foundation
import HTTPTypes
import HummingbirdTesting
import MinzhengCore
import MinzhengServer
import MinzhengTesting
import Synchronization
import Testing

/// A clock the test can move: real time passing, plus an offset.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    func set(_ date: Date) { offset.withLock { $0 = date.timeIntervalSinceNow } }
}

struct WaitlistBody: Decodable {
    let id: String
    let status: String
    let period: String?
    let ahead: Int?
    let booking_id: String?
    let note: String?
}

extension BookingWorld {
    /// A bookable day at Xuanwu with one place per period, all six taken by the citizen's couples from `booking`,
    /// and couple `waiting` waiting for any period. Answers a manager's token, the day and the citizen's token.
    func fullDayWithAWaitingCouple(citizen subject: String, booking first: Int, waiting couple: Int) async throws
        -> (manager: String, date: String, citizen: String) {
        let manager = try await staff("nanjing-manager")
        let date = try await bookableDay()
        #expect(try await setCapacity(1, date: date, period: nil, token: manager).status == .noContent)
        let citizen = try await self.citizen(subject)
        _ = try await bookMany(6, first: first, date: date, token: citizen)
        let waiting = try await request(.post, "/v1/marriage-waitlist", token: citizen, json: bookingJSON(date: date, period: "any", couple: couple))
        #expect(waiting.status == .created, "\(String(buffer: waiting.body))")
        return (manager, date, citizen)
    }
}

/// Rush days: scheduled release, waitlists that never overbook, and the fair draw.
@Suite struct RushDayTests {
    @Test func bookingBeforeTheReleaseIsRefusedWithItsMoment() async throws {
        try await withBookingWorld { world in
            let citizen = try await world.citizen("early")
            let today = LocalDate.today(at: Date())
            let day = today.adding(days: 31)
            let response = try await world.book(world.bookingJSON(date: day.description, couple: 1), token: citizen)
            #expect(response.status == .conflict && response.problemCode == "not_yet_released")
            // Released at 08:00 Beijing time, thirty days before.
            let release = "\(today.adding(days: 1))T08:00+08:00"
            #expect(try response.decode(ProblemBody.self).detail?.contains(release) == true)
            struct Day: Decodable { let date: String; let open: Bool; let release_at: String? }
            struct Days: Decodable { let days: [Day] }
            let availability: Days = try await world.request(
                .get, "/v1/marriage-registries/9/availability?service=marriage&from=\(today.adding(days: 2))&to=\(day)").decode()
            #expect(availability.days.last?.release_at != nil && availability.days.last?.open == false)
            #expect(availability.days.first?.release_at == nil)
        }
    }

    @Test func freedPlacesGoToWaitingCouplesInOrderUnderEveryRule() async throws {
        try await withNotifyWorld { world, receiver in
            let manager = try await world.staff("nanjing-manager")
            let app = try await world.setClientWebhook(url: receiver.url("hook", "app"), events: ["booking.confirmed"])
            receiver.setSecret("app", try #require(app.secret))
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(1, date: date, period: nil, token: manager).status == .noContent)
            let citizen = try await world.citizen("rush-1")
            let full = try await world.bookMany(6, first: 500, date: date, token: citizen)  // every period of the day taken

            func wait(_ couple: Int, period: String) async throws -> WaitlistBody {
                let response = try await world.request(.post, "/v1/marriage-waitlist", token: citizen,
                                                       json: world.bookingJSON(date: date, period: period, couple: couple))
                #expect(response.status == .created, "\(String(buffer: response.body))")
                return try response.decode()
            }
            let first = try await wait(600, period: "09:00")
            let second = try await wait(601, period: "09:00")
            let any = try await wait(602, period: "any")
            #expect(first.ahead == 0 && second.ahead == 1 && any.ahead == 2 && any.period == nil)
            // No waiting while there is a place; no waiting twice.
            let again = try await world.request(.post, "/v1/marriage-waitlist", token: citizen, json: world.bookingJSON(date: date, couple: 600))
            #expect(again.problemCode == "already_waiting")

            // The second couple books another office meanwhile: when a place comes, they are passed over.
            let other = try await world.book(world.bookingJSON(office: BookingWorld.nanjingQinhuai, date: date, couple: 601), token: citizen)
            #expect(other.status == .created)
            let first09 = try #require(full.first { $0.period == "09:00" })
            #expect(try await world.request(.post, "/v1/marriage-bookings/\(first09.id)/cancel", token: citizen).status == .ok)
            // ... and again: now the first waiting couple gets it, in the cancel's own transaction.
            let entries: [WaitlistBody] = try await world.request(.get, "/v1/marriage-waitlist", token: citizen).decode(ListPage<WaitlistBody>.self).items
            #expect(entries.map(\.status) == ["promoted", "waiting", "waiting"])
            #expect(try await world.period(date: date, period: "09:00").booked == 1)

            // More places: the next ones get them at once; the one who booked elsewhere is skipped with the reason.
            #expect(try await world.setCapacity(3, date: date, period: "09:00", token: manager).status == .noContent)
            let after: [WaitlistBody] = try await world.request(.get, "/v1/marriage-waitlist", token: citizen).decode(ListPage<WaitlistBody>.self).items
            #expect(after.map(\.status) == ["promoted", "skipped", "promoted"])
            #expect(after[1].note == "active_booking_exists")
            let period = try await world.period(date: date, period: "09:00")
            #expect(period.booked == 2 && period.capacity == 3)
            // Each promoted couple's app is told.
            let told = try await receiver.wait { $0.filter { $0.text == "booking.confirmed" }.count >= 9 }
            let sources = told.compactMap { receipt -> String? in
                ((try? JSONSerialization.jsonObject(with: receipt.body) as? [String: Any])?["data"] as? [String: Any])?["source"] as? String
            }
            #expect(sources == ["waitlist", "waitlist"])
        }
    }

    @Test func closingADayEndsItsWaitlistAndItsDraw() async throws {
        let clock = TestClock()
        try await withBookingWorld(now: clock.now) { world in
            let (manager, date, citizen) = try await world.fullDayWithAWaitingCouple(citizen: "closed-day", booking: 1700, waiting: 1800)
            let closed = try await world.request(.post, "/v1/staff/marriage-registries/9/closures", token: manager,
                                                 json: #"{"date":"\#(date)","reason":"停电"}"#)
            #expect(try closed.decode(ClosureBody.self).cancelled_bookings == 6)
            // The waiting couple is told no place will come, and may wait elsewhere: the office next door, full too.
            let entries: [WaitlistBody] = try await world.request(.get, "/v1/marriage-waitlist", token: citizen).decode(ListPage<WaitlistBody>.self).items
            #expect(entries.map(\.status) == ["skipped"] && entries.first?.note == "office_closed")
            let next = BookingWorld.nanjingQinhuai
            #expect(try await world.setCapacity(0, office: next, date: date, period: nil, token: manager).status == .noContent)
            let elsewhere = try await world.request(.post, "/v1/marriage-waitlist", token: citizen,
                                                    json: world.bookingJSON(office: next, date: date, period: "any", couple: 1800))
            #expect(elsewhere.status == .created, "\(String(buffer: elsewhere.body))")

            // A draw day closed after a couple registered: at the release they are told, neither booked nor put on the
            // day's waitlist (the one period they ranked has no places left, where the draw would queue them); and the
            // closed day takes no more entries.
            let calendar = WorkCalendar(days: try SeedSet.load(from: Fixtures.seedDirectory).calendar.map { ($0.date, $0.kind) })
            let day = calendar.workingDay(onOrAfter: LocalDate.today(at: Date()).adding(days: 60))
            #expect(try await world.request(.put, "/v1/staff/marriage-registries/9/high-demand-dates/\(day)", token: manager).status == .noContent)
            #expect(try await world.setCapacity(0, date: day.description, period: "09:00", token: manager).status == .noContent)
            func session(_ subject: String) -> CitizenSession { CitizenSession(clientID: 1, subject: subject, expiresAt: .distantFuture) }
            func register(_ couple: Int, as subject: String, on date: LocalDate? = nil) async throws -> DrawEntry {
                let (man, woman) = TestIDs.couple(couple, address: "320105")
                return try await world.services.bookings.registerForDraw(
                    officeID: 9, date: (date ?? day).description, preferences: ["09:00"],
                    applicants: [ApplicantInput(name: "张三", idNumber: man, phone: "13800138000"), ApplicantInput(name: "李四", idNumber: woman, phone: "13900139000")],
                    for: session(subject))
            }
            clock.set(day.adding(days: -35).instant(hour: 12))  // registration is open
            _ = try await register(1900, as: "early-draw")
            let managerWeeksOn = try await world.staff("nanjing-manager")  // the first session has expired by now
            #expect(try await world.request(.post, "/v1/staff/marriage-registries/9/closures", token: managerWeeksOn,
                                            json: #"{"date":"\#(day)","reason":"场地改造"}"#).status == .ok)
            let refused = await #expect(throws: DomainError.self) { _ = try await register(1901, as: "late-draw") }
            #expect(refused?.code == "office_closed")
            // A day off the office has not opened, a few days later, marked for a draw before its registration opens.
            let dayOff = try #require((3...7).map { day.adding(days: $0) }.first { !calendar.isWorkingDay($0) })
            #expect(try await world.request(.put, "/v1/staff/marriage-registries/9/high-demand-dates/\(dayOff)", token: managerWeeksOn).status
                    == .noContent)
            clock.set(day.adding(days: -30).instant(hour: 8, minute: 1))  // the release
            let record = try #require(try await world.services.bookings.runDueDraws().first)
            #expect(record.entries.count == 1)
            let drawn = try await world.services.bookings.drawEntries(of: session("early-draw"))
            #expect(drawn.map(\.status) == [.ineligible] && drawn.first?.note == "office_closed")
            #expect(try await world.services.bookings.waitlist(of: session("early-draw")).isEmpty)
            // Its registration is open now, and it takes no entries either.
            let offDay = await #expect(throws: DomainError.self) { _ = try await register(1902, as: "day-off-draw", on: dayOff) }
            #expect(offDay?.code == "office_closed")
        }
    }

    @Test func aNewPeriodIsTakenByTheDaysWaitingCouple() async throws {
        try await withBookingWorld { world in
            let (manager, date, citizen) = try await world.fullDayWithAWaitingCouple(citizen: "evening", booking: 1500, waiting: 1600)
            let schedule = try await world.request(.put, "/v1/staff/marriage-registries/\(BookingWorld.nanjingXuanwu)/schedule", token: manager, json: """
                {"periods":["09:00-10:00","10:00-11:00","11:00-12:00","14:00-15:00","15:00-16:00","16:00-17:00","17:00-18:00"],
                 "default_capacity":{"marriage":10,"divorce_application":4,"divorce_certificate":4,"reissue":2},
                 "booking_window":{"min_days_ahead":1,"max_days_ahead":30,"closing_hour":15}}
                """)
            #expect(schedule.status == .ok, "\(String(buffer: schedule.body))")
            let entries: [WaitlistBody] = try await world.request(.get, "/v1/marriage-waitlist", token: citizen).decode(ListPage<WaitlistBody>.self).items
            #expect(entries.map(\.status) == ["promoted"])
            #expect(try await world.period(date: date, period: "17:00").booked == 1)
        }
    }

    @Test func promotionsRacingBookingsNeverOverbook() async throws {
        try await withBookingWorld(live: true) { world in
            let manager = try await world.staff("nanjing-manager")
            let date = try await world.bookableDay()
            #expect(try await world.setCapacity(5, date: date, token: manager).status == .noContent)
            let holders = try await world.citizen("holders")
            let held = try await (0..<5).asyncMap { n in
                try await world.book(world.bookingJSON(date: date, couple: 700 + n), token: holders).decode(BookingBody.self)
            }
            let waiter = try await world.citizen("waiters")
            for n in 0..<20 {
                let response = try await world.request(.post, "/v1/marriage-waitlist", token: waiter, json: world.bookingJSON(date: date, couple: 800 + n))
                #expect(response.status == .created)
            }
            let racers = try await world.citizen("racers")
            // Cancellations, a capacity raise and new bookings, all at once over real HTTP.
            let outcomes = try await withThrowingTaskGroup(of: String.self) { group in
                for booking in held {
                    group.addTask { "cancel \(try await world.request(.post, "/v1/marriage-bookings/\(booking.id)/cancel", token: holders).status.code)" }
                }
                group.addTask { "capacity \(try await world.setCapacity(8, date: date, token: manager).status.code)" }
                for n in 0..<30 {
                    group.addTask {
                        let response = try await world.book(world.bookingJSON(date: date, couple: 900 + n), token: racers)
                        return "book \(response.status.code)"
                    }
                }
                return try await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(!outcomes.keys.contains { $0.hasSuffix(" 500") }, "\(outcomes)")
            let period = try await world.period(date: date)
            let confirmed = try await world.roster(date: date, token: manager).filter { $0.status == "confirmed" && $0.period == "09:00" }
            #expect(period.capacity == 8 && period.booked == 8 && confirmed.count == 8, "\(outcomes)")
            // Waiting couples were served in order: the promoted ones are a prefix of the queue.
            let queue: [WaitlistBody] = try await world.request(.get, "/v1/marriage-waitlist", token: waiter).decode(ListPage<WaitlistBody>.self).items
            let promoted = queue.filter { $0.status == "promoted" }.count
            #expect(queue.prefix(promoted).allSatisfy { $0.status == "promoted" } && queue.dropFirst(promoted).allSatisfy { $0.status == "waiting" })
            // Every freed or added place went to the queue inside the change that made it: none to the racers.
            #expect(promoted == 8 && outcomes["book 201"] == nil, "\(outcomes)")
        }
    }

    @Test func theDrawAssignsExactlyThePlacesReproduciblyByPreference() async throws {
        let clock = TestClock()
        try await withBookingWorld(configure: { $0.drawInterval = nil; $0.notifyWorker = false }, now: clock.now) { world in
            // A working day about two months ahead (60 days ahead falls on a weekend two days a week).
            let calendar = WorkCalendar(days: try SeedSet.load(from: Fixtures.seedDirectory).calendar.map { ($0.date, $0.kind) })
            let day = calendar.workingDay(onOrAfter: LocalDate.today(at: Date()).adding(days: 60))
            let office = BookingWorld.nanjingXuanwu
            // Marked before its registration opens (37 days before the day).
            let manager = try await world.staff("nanjing-manager")
            let mark = try await world.request(.put, "/v1/staff/marriage-registries/\(office)/high-demand-dates/\(day)", token: manager)
            #expect(mark.status == .noContent, "\(String(buffer: mark.body))")
            let places = ["09:00": 100, "10:00": 20, "11:00": 20, "14:00": 20, "15:00": 20, "16:00": 20]
            for (period, capacity) in places {
                #expect(try await world.setCapacity(capacity, date: day.description, period: period, token: manager).status == .noContent)
            }
            // Registration is open: 1,000 couples (five for every place), most preferring the morning.
            clock.set(day.adding(days: -35).instant(hour: 12))
            let periods = places.keys.sorted()
            let session = CitizenSession(clientID: 1, subject: "draw", expiresAt: .distantFuture)
            for n in 0..<1000 {
                let (man, woman) = TestIDs.couple(10_000 + n, address: "320105")
                let preferences = [periods[n % 3], periods[3 + n % 3]]
                _ = try await world.services.bookings.registerForDraw(
                    officeID: office, date: day.description, preferences: preferences,
                    applicants: [ApplicantInput(name: "张三", idNumber: man, phone: "13800138000"), ApplicantInput(name: "李四", idNumber: woman, phone: "13900139000")],
                    for: session)
            }
            // One entry per person and day: the first couple's man cannot enter again with another partner.
            let (man, _) = TestIDs.couple(10_000, address: "320105")
            let (_, other) = TestIDs.couple(20_000, address: "320105")
            await #expect(throws: DomainError.self) {
                _ = try await world.services.bookings.registerForDraw(
                    officeID: office, date: day.description, preferences: ["09:00"],
                    applicants: [ApplicantInput(name: "张三", idNumber: man, phone: "13800138000"), ApplicantInput(name: "王五", idNumber: other, phone: "13900139000")],
                    for: session)
            }
            // At the release, bookings wait for the draw.
            clock.set(day.adding(days: -30).instant(hour: 8, minute: 1))
            let citizen = try await world.citizen("late")
            let early = try await world.book(world.bookingJSON(date: day.description, couple: 99), token: citizen)
            #expect(early.problemCode == "draw_required")

            // The seed was fixed at the first registration: only its hash is out before the draw.
            struct Commitment: Decodable { let seed_hash: String; let seed: String?; let entries: [String] }
            let before: Commitment = try await world.request(.get, "/v1/marriage-registries/\(office)/draws/\(day)").decode()
            #expect(before.seed == nil && before.entries.isEmpty && before.seed_hash.count == 64)

            let record = try #require(try await world.services.bookings.runDueDraws().first)
            #expect(record.entries.count == 1000)
            let won = record.entries.filter { $0.period != nil }
            #expect(won.count == 200)
            #expect(won.allSatisfy { entry in entry.preferences.contains(entry.period!) })
            for (period, capacity) in places { #expect(won.filter { $0.period == period }.count == capacity) }
            // A month on, the morning's staff session has expired: log in again.
            let utilisation = try await world.request(.get, "/v1/staff/marriage-registries/\(office)/live?date=\(day)",
                                                      token: try await world.staff("nanjing-manager"))
            struct Live: Decodable { struct P: Decodable { let period: String; let capacity: Int; let booked: Int }; let periods: [P]; let waiting_any_period: Int }
            let live: Live = try utilisation.decode()
            #expect(live.periods.allSatisfy { $0.booked == $0.capacity } && live.waiting_any_period == 800)
            // The draw filled the day: like direct bookings, it raises the nearly-full notice, once.
            let types = Mutex<[EventType]>([])
            _ = try await world.services.storage.notifications.fanOut(now: .distantFuture, limit: 100_000, lease: 60) { event, _ in
                types.withLock { $0.append(event.type) }
                return []
            }
            #expect(types.withLock { $0.filter { $0 == .capacityNearlyFull }.count } == 1)
            #expect(types.withLock { $0.filter { $0 == .bookingConfirmed }.count } == 200)

            // Anyone can re-run it from what is published: the same order and outcome; another seed orders otherwise.
            struct Published: Decodable {
                struct Entry: Decodable { let id: String; let preferences: [String]; let period: String?; let eligible: Bool }
                let seed: String; let seed_hash: String; let places: [String: Int]; let entries: [Entry]
            }
            let published: Published = try await world.request(.get, "/v1/marriage-registries/\(office)/draws/\(day)").decode()
            let ids = published.entries.map(\.id)
            #expect(published.seed_hash == before.seed_hash && FairDraw.commitment(published.seed) == before.seed_hash)
            #expect(published.places == places)
            #expect(FairDraw.order(ids.shuffled(), seed: published.seed) == ids)
            let again = FairDraw.assign(order: ids, preferences: Dictionary(uniqueKeysWithValues: published.entries.map { ($0.id, $0.preferences) }),
                                        places: published.places, skipping: Set(published.entries.filter { !$0.eligible }.map(\.id)))
            #expect(again.map(\.period) == published.entries.map(\.period))
            #expect(FairDraw.order(ids, seed: published.seed + "x") != ids)
            // After the draw the day books as usual: its places are gone.
            let after = try await world.book(world.bookingJSON(date: day.description, couple: 98), token: citizen)
            #expect(after.problemCode == "slot_full")
        }
    }
}
