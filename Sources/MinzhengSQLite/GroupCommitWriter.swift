import Foundation
import GRDB
import Synchronization

/// Group commit: concurrent writes are gathered into one transaction, each inside its own savepoint, so one
/// `fsync` (with `synchronous = FULL`) makes a whole batch durable. A write that throws rolls back only its
/// savepoint. Callers are answered after the transaction commits, never before: an answered booking is on disk.
///
/// Batches form by themselves: while one transaction is being written, the writes that arrive queue up and
/// go together in the next.
final class GroupCommitWriter: Sendable {
    private struct Pending: Sendable {
        /// Runs the write in a savepoint and keeps its outcome.
        let run: @Sendable (Database) -> Void
        /// Hands the outcome over once the transaction has committed (nil) or failed.
        let complete: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Pending] = []
        var writing = false
    }

    private let pool: DatabasePool
    private let state = Mutex(State())
    /// The largest batch: bounds how long one transaction holds the writer.
    private let maxBatch: Int

    init(pool: DatabasePool, maxBatch: Int = 256) {
        self.pool = pool
        self.maxBatch = maxBatch
    }

    /// Where a write's outcome waits between its savepoint and the commit.
    private final class Outcome<T: Sendable>: Sendable {
        private let result = Mutex<Result<T, any Error>?>(nil)
        func set(_ value: Result<T, any Error>) { result.withLock { $0 = value } }
        var value: Result<T, any Error>? { result.withLock { $0 } }
    }

    func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let outcome = Outcome<T>()
        return try await withCheckedThrowingContinuation { continuation in
            let pending = Pending(
                run: { db in
                    let result: Result<T, any Error>
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try work(db)
                            return .commit
                        }
                        result = value.map { .success($0) } ?? .failure(DatabaseError(message: "a grouped write returned nothing"))
                    } catch {
                        result = .failure(error)
                    }
                    outcome.set(result)
                },
                complete: { transactionError in
                    if let transactionError { return continuation.resume(throwing: transactionError) }
                    continuation.resume(with: outcome.value ?? .failure(DatabaseError(message: "a grouped write did not run")))
                })
            let start = state.withLock { state in
                state.pending.append(pending)
                defer { state.writing = true }
                return !state.writing
            }
            if start { writeNextBatch() }
        }
    }

    private func writeNextBatch() {
        let batch = state.withLock { state in
            let batch = Array(state.pending.prefix(maxBatch))
            state.pending.removeFirst(batch.count)
            if batch.isEmpty { state.writing = false }
            return batch
        }
        guard !batch.isEmpty else { return }
        pool.asyncWrite({ db in
            for pending in batch { pending.run(db) }
        }, completion: { [self] _, result in
            let failure: (any Error)? = if case .failure(let error) = result { error } else { nil }
            for pending in batch { pending.complete(failure) }
            writeNextBatch()
        })
    }
}
