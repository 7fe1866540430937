import Foundation
@testable import MinzhengCore
import Testing

/// The memory of full periods refuses only while nothing may have come free.
@Suite struct FullSlotHintsTests {
    let slot = SlotKey(officeID: 9, date: LocalDate(iso: "2026-12-01")!, period: "09:00", service: .marriage)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aPlaceFreedWhileAnAttemptRanIsNotHiddenByIt() {
        let hints = FullSlotHints()
        let seen = hints.epoch  // an attempt starts, and finds the period full...
        hints.placeFreed(slot)  // ...while a cancellation commits
        hints.markFull(slot, now: start, seenAt: seen)
        #expect(!hints.isFull(slot, now: start))
        hints.markFull(slot, now: start, seenAt: hints.epoch)
        #expect(hints.isFull(slot, now: start))
    }

    @Test func fullIsBelievedLongerOnlyWhileEveryChangeIsHeard() {
        let hints = FullSlotHints()
        hints.markFull(slot, now: start, seenAt: hints.epoch)
        #expect(!hints.isFull(slot, now: start + 1.5))

        hints.everyChangeHeard(true)
        hints.markFull(slot, now: start, seenAt: hints.epoch)
        #expect(hints.isFull(slot, now: start + 1.5) && hints.isFull(slot, now: start + 29))
        hints.officeChanged(slot.officeID)  // heard from another process
        #expect(!hints.isFull(slot, now: start + 2))

        hints.markFull(slot, now: start, seenAt: hints.epoch)
        hints.everyChangeHeard(false)  // the listener's connection failed: what it missed is unknown
        #expect(!hints.isFull(slot, now: start))
    }
}
