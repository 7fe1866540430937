import Foundation
import Synchronization

/// Periods recently found full, so that the rush of attempts on a full period is refused before any
/// encryption or database write. A hint only ever refuses, so it can never overbook; it lasts one second
/// (a place freed by another instance is offered at most that much later) and is dropped at once when this
/// instance frees a place or changes the office.
final class FullSlotHints: Sendable {
    static let lifetime: TimeInterval = 1
    private let full = Mutex<[SlotKey: Date]>([:])

    func isFull(_ slot: SlotKey, now: Date) -> Bool {
        full.withLock { hints in
            guard let since = hints[slot] else { return false }
            if now.timeIntervalSince(since) < Self.lifetime { return true }
            hints[slot] = nil
            return false
        }
    }

    func markFull(_ slot: SlotKey, now: Date) {
        full.withLock { hints in
            if hints.count > 10_000 { hints.removeAll() }  // bound the memory; hints are only an optimisation
            hints[slot] = now
        }
    }

    func placeFreed(_ slot: SlotKey) { _ = full.withLock { $0.removeValue(forKey: slot) } }

    func officeChanged(_ officeID: Int64) { full.withLock { $0 = $0.filter { $0.key.officeID != officeID } } }
}

/// The idempotency keys of the bookings made in the last day, as this process knows them (loaded at start,
/// added on every booking). With it, an attempt on a period known to be full needs no database read to tell a
/// retry of a booking that went through (answered from the database) from a new attempt (refused).
/// Exact while one process writes the database, as with SQLite; keys are honoured for a day.
final class RecentIdempotencyKeys: Sendable {
    static let retention: TimeInterval = 24 * 3600
    private let keys = Mutex<[String: Date]>([:])

    static func key(_ owner: BookingOwner, _ key: String) -> String { "\(owner.clientID)\u{1F}\(owner.subject)\u{1F}\(key)" }

    func load(_ entries: [(owner: BookingOwner, key: String, at: Date)]) {
        keys.withLock { keys in
            for entry in entries { keys[Self.key(entry.owner, entry.key)] = entry.at }
        }
    }

    func add(_ claim: IdempotencyClaim, at: Date) {
        keys.withLock { keys in
            if keys.count > 2_000_000 { keys = keys.filter { at.timeIntervalSince($0.value) < Self.retention } }
            keys[Self.key(claim.owner, claim.key)] = at
        }
    }

    func contains(_ claim: IdempotencyClaim) -> Bool { keys.withLock { $0[Self.key(claim.owner, claim.key)] != nil } }
}

/// Availability answers for up to a second: while a rush pours in, everyone looking at the same office shares
/// one database read. Any change this process makes to the office (a booking, a cancellation, a staff change)
/// drops its entries at once, so its own callers always read their writes; changes made by another process
/// show within the second. "Remaining" is advice: the booking itself decides. (Counting a booking into the
/// cached answer instead of dropping it was tried: a reader that already saw the commit would count it twice.)
final class AvailabilityCache: Sendable {
    struct Key: Hashable, Sendable {
        let officeID: Int64
        let service: MarriageService
        let from: LocalDate
        let to: LocalDate
    }

    static let lifetime: TimeInterval = 1
    private let entries = Mutex<[Key: (at: Date, days: [DayAvailability])]>([:])

    func days(_ key: Key, now: Date) -> [DayAvailability]? {
        entries.withLock { entries in
            guard let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime, now >= entry.at else { return nil }
            return entry.days
        }
    }

    func store(_ days: [DayAvailability], for key: Key, at: Date) {
        entries.withLock { entries in
            if entries.count > 5_000 { entries.removeAll() }
            entries[key] = (at, days)
        }
    }

    func officeChanged(_ officeID: Int64) { entries.withLock { $0 = $0.filter { $0.key.officeID != officeID } } }
}

/// Offices' schedules for a few seconds, for showing a booking's start and end times. Bookings themselves
/// are judged against the schedule read inside their transaction, never against this.
final class OfficeScheduleCache: Sendable {
    static let lifetime: TimeInterval = 5
    private let entries = Mutex<[Int64: (at: Date, schedule: OfficeSchedule)]>([:])

    func schedule(_ officeID: Int64, now: Date) -> OfficeSchedule? {
        entries.withLock { entries in
            guard let entry = entries[officeID], now.timeIntervalSince(entry.at) < Self.lifetime, now >= entry.at else { return nil }
            return entry.schedule
        }
    }

    func store(_ schedule: OfficeSchedule, for officeID: Int64, at: Date) { entries.withLock { $0[officeID] = (at, schedule) } }

    func officeChanged(_ officeID: Int64) { _ = entries.withLock { $0.removeValue(forKey: officeID) } }
}
