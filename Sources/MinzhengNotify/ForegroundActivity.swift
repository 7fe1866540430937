import Foundation
import Synchronization

/// Citizens' bookings in flight, so the delivery worker can step aside for them: a backlog of notifications
/// may drain a little later, a booking must not wait behind it.
public final class ForegroundActivity: Sendable {
    private let inFlight = Atomic<Int>(0)
    /// When the last one began or ended, in uptime nanoseconds.
    private let lastSeen = Atomic<UInt64>(0)

    public init() {}

    public func track<T>(_ body: () async throws -> T) async rethrows -> T {
        inFlight.add(1, ordering: .relaxed)
        touch()
        defer {
            inFlight.subtract(1, ordering: .relaxed)
            touch()
        }
        return try await body()
    }

    /// True while a booking is in flight or one ended within `window` (the gap between a client's requests).
    public func isBusy(within window: Duration = .milliseconds(250)) -> Bool {
        if inFlight.load(ordering: .relaxed) > 0 { return true }
        let windowNanoseconds = UInt64(window.components.seconds) * 1_000_000_000 + UInt64(window.components.attoseconds / 1_000_000_000)
        return DispatchTime.now().uptimeNanoseconds &- lastSeen.load(ordering: .relaxed) < windowNanoseconds
    }

    private func touch() { lastSeen.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }
}
