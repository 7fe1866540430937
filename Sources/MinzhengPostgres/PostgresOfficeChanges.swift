import Foundation
import Logging
import MinzhengCore
import PostgresNIO
import Synchronization

/// Office changes heard with LISTEN: the `slots` table's trigger (migration 0008) notifies every change to a period's
/// places from inside its transaction. The listener holds one pooled connection while it listens, and proves every
/// few seconds that it still hears (a connection cut without a word would otherwise leave it trusting a silence).
/// A pooler in transaction mode (PgBouncer's) does not carry notifications: give the processes session connections.
public struct PostgresOfficeChanges: OfficeChangeChannel {
    let client: PostgresClient
    let logger: Logger
    /// How often the listener sends itself a ping, and how long it waits to hear it.
    let pingEvery: Duration
    let pingWithin: Duration

    static let channel = "minzheng_office_changed"

    public init(_ database: PostgresDatabase, pingEvery: Duration = .seconds(10), pingWithin: Duration = .seconds(5)) {
        client = database.client
        logger = database.logger
        self.pingEvery = pingEvery
        self.pingWithin = pingWithin
    }

    public func listen(heard: @escaping @Sendable (OfficeChange) -> Void, listening: @escaping @Sendable (Bool) -> Void) async throws {
        try await client.withConnection { connection in
            // Several installations may share a database, each in its schema: hear only this one's.
            var current = ""
            for try await name in try await connection.query("SELECT current_schema()", logger: logger).decode(String.self) { current = name }
            let schema = current, me = UUID().uuidString, pings = PingsHeard()
            try await connection.listen(on: Self.channel) { notifications in
                listening(true)
                defer { listening(false) }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for try await notification in notifications {
                            switch Self.message(notification.payload) {
                            case .change(let change, schema)?: heard(change)
                            case .ping(me, let number)?: pings.heard(number)
                            default: break
                            }
                        }
                        throw PostgresDatabaseError("the office-change listener's connection closed")
                    }
                    group.addTask {
                        for number in 1... {
                            try await Task.sleep(for: pingEvery)
                            _ = try await client.query("SELECT pg_notify(\(Self.channel), \("ping \(me) \(number)"))", logger: logger).collect()
                            try await Task.sleep(for: pingWithin)
                            guard pings.last >= number else {
                                throw PostgresDatabaseError("the office-change listener no longer hears its own pings")
                            }
                        }
                    }
                    defer { group.cancelAll() }
                    try await group.next()
                }
            }
        }
    }

    /// The number of the listener's latest ping it heard back.
    final class PingsHeard: Sendable {
        private let latest = Mutex(0)
        func heard(_ number: Int) { latest.withLock { $0 = max($0, number) } }
        var last: Int { latest.withLock { $0 } }
    }

    enum Message: Equatable {
        /// A change in the installation of that schema.
        case change(OfficeChange, schema: String)
        case ping(listener: String, number: Int)
    }

    /// `changed 9 public`, `filled 9 2026-12-02 09:00 marriage public` (the trigger's; the schema last, as it is),
    /// `ping <listener> <n>` (a listener's own). nil: not one of these.
    static func message(_ payload: String) -> Message? {
        let words = payload.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        switch (words.first, words.count) {
        case ("changed", 3...):
            guard let officeID = Int64(words[1]) else { return nil }
            return .change(.changed(officeID: officeID), schema: words.dropFirst(2).joined(separator: " "))
        case ("filled", 6):
            guard let officeID = Int64(words[1]), let date = LocalDate(iso: words[2]), let service = MarriageService(rawValue: words[4]) else { return nil }
            return .change(.filled(SlotKey(officeID: officeID, date: date, period: words[3], service: service)), schema: words[5])
        case ("ping", 3):
            return Int(words[2]).map { .ping(listener: words[1], number: $0) }
        default:
            return nil
        }
    }
}
