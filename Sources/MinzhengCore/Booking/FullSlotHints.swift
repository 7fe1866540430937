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
