import Logging
import Synchronization
@testable import MinzhengServer
import Testing

/// A stopping server cancels its periodic jobs mid-round: that is not a failure, and its log must not say so
/// (every restart used to log "DrawRunner failed: CancellationError" at error level).
@Suite(.timeLimit(.minutes(1))) struct PeriodicJobTests {
    struct Broken: Error {}

    @Test func aFailedRoundIsLoggedAndTheNextOneRuns() async throws {
        let log = LogCapture()
        let rounds = RoundCounter()
        let job = PeriodicJob(description: "Flaky", interval: .milliseconds(1), logger: Logger(label: "test") { _ in CapturingLogHandler(capture: log) }) {
            if rounds.next() == 1 { throw Broken() }
        }
        let running = Task { try await job.run() }
        while rounds.value < 3 { try await Task.sleep(for: .milliseconds(5)) }
        running.cancel()
        try await running.value
        #expect(log.lines.filter { $0.hasPrefix("error Flaky failed") }.count == 1)
    }

    /// Cut short with a `CancellationError`, or with the round's own error, as a database client whose
    /// connection is closed under it throws.
    @Test(arguments: [false, true]) func aRoundCutShortByStoppingIsNotLogged(ownError: Bool) async throws {
        let log = LogCapture()
        let started = RoundCounter()
        let job = PeriodicJob(description: "Slow", interval: .milliseconds(1), logger: Logger(label: "test") { _ in CapturingLogHandler(capture: log) }) {
            _ = started.next()
            do {
                try await Task.sleep(for: .seconds(60))  // throws CancellationError when the job is cancelled
            } catch where ownError {
                throw Broken()
            }
        }
        let running = Task { try await job.run() }
        while started.value == 0 { try await Task.sleep(for: .milliseconds(5)) }
        running.cancel()
        try await running.value
        #expect(started.value == 1)
        #expect(log.lines.isEmpty, "\(log.lines)")
    }
}

/// Counts from 1, from any task.
private final class RoundCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int { count.withLock { $0 += 1; return $0 } }
    var value: Int { count.withLock { $0 } }
}
