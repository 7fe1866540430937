import Foundation
import Synchronization

/// Periods recently found full, so that the rush of attempts on a full period is refused before any
/// encryption or database write. A hint only ever refuses, so it can never overbook. It is dropped at once when
/// a place may have come free at the office: freed here, or heard from another process (`OfficeChangeChannel`).
/// It lasts a second while a place freed elsewhere may go unheard, and `heardLifetime` while every change is heard.
final class FullSlotHints: Sendable {
    static let lifetime: TimeInterval = 1
    static let heardLifetime: TimeInterval = 30

    private struct State {
        var full: [SlotKey: Date] = [:]
        /// Counts the forgettings: an attempt that saw the period full marks it so only if nothing was freed
        /// meanwhile (else a place freed while it ran would stay hidden behind the hint).
        var epoch: UInt64 = 0
        var everyChangeHeard = false
    }

    private let state = Mutex(State())

    /// Taken before an attempt; passed to `markFull`.
    var epoch: UInt64 { state.withLock { $0.epoch } }

    func isFull(_ slot: SlotKey, now: Date) -> Bool {
        state.withLock { state in
            guard let since = state.full[slot] else { return false }
            if now.timeIntervalSince(since) < (state.everyChangeHeard ? Self.heardLifetime : Self.lifetime) { return true }
            state.full[slot] = nil
            return false
        }
    }

    func markFull(_ slot: SlotKey, now: Date, seenAt epoch: UInt64) {
        state.withLock { state in
            guard state.epoch == epoch else { return }
            if state.full.count > 10_000 { state.full.removeAll() }  // bound the memory; hints are only an optimisation
            state.full[slot] = now
        }
    }

    func placeFreed(_ slot: SlotKey) {
        state.withLock { state in
            state.full[slot] = nil
            state.epoch &+= 1
        }
    }

    func officeChanged(_ officeID: Int64) {
        state.withLock { state in
            state.full = state.full.filter { $0.key.officeID != officeID }
            state.epoch &+= 1
        }
    }

    /// Whether every place freed by another process is heard. Whenever that changes, all hints are dropped:
    /// what was freed while nobody listened is unknown.
    func everyChangeHeard(_ heard: Bool) {
        state.withLock { state in
            state.everyChangeHeard = heard
            state.full.removeAll()
            state.epoch &+= 1
        }
    }
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
