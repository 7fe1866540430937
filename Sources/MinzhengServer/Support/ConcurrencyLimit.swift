import Synchronization

/// At most `limit` callers run the body at once; the rest wait their turn in arrival order, suspended.
///
/// Why: on a rush the booking requests alone would keep every thread busy, and a cheap read (availability)
/// would queue behind dozens of them. Bookings waiting here take no CPU, so reads get a thread quickly,
/// and bookings lose no throughput: a few at a time keep the cores and the group commit busy.
final class ConcurrencyLimit: Sendable {
    private struct State {
        var available: Int
        var waiting: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state: Mutex<State>

    init(_ limit: Int) { state = Mutex(State(available: limit)) }

    func run<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiting.count else {
                state.available += 1
                return nil
            }
            let next = state.waiting[state.head]
            state.head += 1
            if state.head > 1024 {  // drop the served prefix now and then
                state.waiting.removeFirst(state.head)
                state.head = 0
            }
            return next
        }
        next?.resume()
    }
}
