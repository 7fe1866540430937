import Foundation
import GRDB
import MinzhengCore

/// Webhook subscriptions, and the outbox's way out: fan-out of due events into deliveries, leases for the
/// delivery workers, and the record of every attempt.
public struct SQLiteNotificationStore: NotificationStore {
    private let pool: DatabasePool

    public init(_ database: SQLiteDatabase) {
        pool = database.pool
    }

    // MARK: Subscriptions

    public func addSubscription(_ new: NewSubscription, audit: AuditRecord?) async throws -> WebhookSubscription {
        try await pool.write { db in
            let subscription = try Self.insert(db, new)
            if let audit { try SQLiteAudit.append(db, AuditRecord(staffID: audit.staffID, action: audit.action, target: "webhook \(subscription.id)",
                                                                  at: audit.at, before: audit.before, after: audit.after)) }
            return subscription
        }
    }

    public func replaceClientSubscription(_ new: NewSubscription) async throws -> WebhookSubscription {
        try await pool.write { db in
            guard case .client(let clientID) = new.owner else { throw DatabaseError(message: "not an app's webhook") }
            let earlier = try Int64.fetchAll(db, sql: "SELECT id FROM webhook_subscriptions WHERE client_id = ? AND removed_at IS NULL",
                                             arguments: [clientID])
            for id in earlier { _ = try Self.remove(db, id: id, at: new.createdAt) }
            return try Self.insert(db, new)
        }
    }

    private static func insert(_ db: Database, _ new: NewSubscription) throws -> WebhookSubscription {
        var division: String?, office: Int64?, client: Int64?
        switch new.owner {
        case .staff(let code, let officeID): (division, office) = (code.rawValue, officeID)
        case .client(let id): client = id
        }
        try db.execute(
            sql: """
                INSERT INTO webhook_subscriptions (channel, url_sealed, url_redacted, secret_sealed, events, division_code, office_id,
                                                   client_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [new.channel.rawValue, new.sealedURL, new.redactedURL, new.sealedSecret,
                        new.events.map(\.rawValue).sorted().joined(separator: ","), division, office, client, new.createdAt.timeIntervalSince1970])
        return WebhookSubscription(id: db.lastInsertedRowID, channel: new.channel, redactedURL: new.redactedURL, events: new.events,
                                   owner: new.owner, createdAt: new.createdAt)
    }

    public func subscriptions() async throws -> [WebhookSubscription] {
        try await pool.read { db in try Self.subscriptions(db) }
    }

    private static func subscriptions(_ db: Database) throws -> [WebhookSubscription] {
        try Row.fetchAll(db, sql: """
            SELECT id, channel, url_redacted, events, division_code, office_id, client_id, created_at
            FROM webhook_subscriptions WHERE removed_at IS NULL ORDER BY id
            """).compactMap { row in
            guard let channel = WebhookChannel(rawValue: row["channel"]) else { return nil }
            let owner: WebhookSubscription.Owner
            if let client: Int64 = row["client_id"] {
                owner = .client(client)
            } else if let division = DivisionCode(row["division_code"] as String) {
                owner = .staff(division: division, officeID: row["office_id"])
            } else {
                return nil
            }
            let events = Set((row["events"] as String).split(separator: ",").compactMap { EventType(rawValue: String($0)) })
            return WebhookSubscription(id: row["id"], channel: channel, redactedURL: row["url_redacted"], events: events, owner: owner,
                                       createdAt: Date(timeIntervalSince1970: row["created_at"]))
        }
    }

    public func removeSubscription(id: Int64, audit: AuditRecord?) async throws -> Bool {
        try await pool.write { db in
            guard try Self.remove(db, id: id, at: audit?.at ?? Date()) else { return false }
            if let audit { try SQLiteAudit.append(db, audit) }
            return true
        }
    }

    private static func remove(_ db: Database, id: Int64, at: Date) throws -> Bool {
        try db.execute(sql: "UPDATE webhook_subscriptions SET removed_at = ? WHERE id = ? AND removed_at IS NULL",
                       arguments: [at.timeIntervalSince1970, id])
        guard db.changesCount == 1 else { return false }
        try db.execute(sql: "UPDATE deliveries SET status = 'cancelled', updated_at = ? WHERE subscription_id = ? AND status = 'pending'",
                       arguments: [at.timeIntervalSince1970, id])
        return true
    }

    // MARK: The way out

    public func fanOut(now: Date, limit: Int, lease: TimeInterval,
                       match: @escaping @Sendable (PendingEvent, [WebhookSubscription]) -> [Int64]) async throws
        -> (claimed: [ClaimedDelivery], full: Bool) {
        try await pool.write { db in
            // Taken and marked in one statement: the events are 'fanned' once this transaction commits.
            let events = try Row.fetchAll(
                db.cachedStatement(sql: """
                    UPDATE outbox_events SET state = 'fanned'
                    WHERE id IN (SELECT id FROM outbox_events WHERE state = 'pending' AND due_at <= ? ORDER BY due_at LIMIT ?)
                    RETURNING id, type, office_id, client_id, data, occurred_at, division_code
                    """),
                arguments: [now.timeIntervalSince1970, limit]).sorted { ($0[0] as Int64) < ($1[0] as Int64) }  // RETURNING's order is not defined
            guard !events.isEmpty else { return ([], false) }
            let subscriptions = try Self.subscriptions(db)
            let paused = try Self.pausedReceivers(db, at: now)
            // A fresh delivery is leased to this worker as it is written: no second write to claim it.
            let insert = try db.cachedStatement(sql: """
                INSERT OR IGNORE INTO deliveries (id, event_id, subscription_id, status, attempts, next_attempt_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var receivers = Receivers(db)
            var claimed: [ClaimedDelivery] = []
            let at = now.timeIntervalSince1970, leased = now.addingTimeInterval(lease).timeIntervalSince1970
            for row in events {
                let eventID: Int64 = row[0]
                if let type = EventType(rawValue: row[1]) {
                    let event = PendingEvent(id: eventID, type: type, officeID: row[2], clientID: row[3],
                                             divisionCode: (row[6] as String?).flatMap { DivisionCode($0) })
                    for subscription in match(event, subscriptions) {
                        guard let receiver = try receivers[subscription] else { continue }
                        let id = DeliveryID.make(at: now)
                        if let until = paused[subscription] {
                            try insert.execute(arguments: [id, eventID, subscription, "pending", 0, until, at, at])
                            continue
                        }
                        try insert.execute(arguments: [id, eventID, subscription, "sending", 1, leased, at, at])
                        guard db.changesCount == 1 else { continue }
                        claimed.append(ClaimedDelivery(id: id, attempt: 1, failures: 0, subscriptionID: subscription, channel: receiver.channel,
                                                       sealedURL: receiver.url, sealedSecret: receiver.secret, eventID: eventID, eventType: type,
                                                       eventData: row[4], occurredAt: Date(timeIntervalSince1970: row[5]), officeID: row[2]))
                    }
                }
            }
            return (claimed, events.count == limit)
        }
    }

    /// The end of each paused receiver's pause, by subscription.
    private static func pausedReceivers(_ db: Database, at now: Date) throws -> [Int64: Double] {
        Dictionary(uniqueKeysWithValues: try Row.fetchAll(
            db, sql: "SELECT id, paused_until FROM webhook_subscriptions WHERE removed_at IS NULL AND paused_until > ?",
            arguments: [now.timeIntervalSince1970]).map { ($0[0] as Int64, $0[1] as Double) })
    }

    /// Subscriptions' channel and sealed URL and secret, read once per transaction.
    private struct Receivers {
        struct Receiver {
            let channel: WebhookChannel
            let url: Data
            let secret: Data?
        }

        let db: Database
        var known: [Int64: Receiver?] = [:]

        init(_ db: Database) { self.db = db }

        subscript(id: Int64) -> Receiver? {
            mutating get throws {
                if let found = known[id] { return found }
                // A removed subscription has no receiver: nothing more goes to it.
                let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT channel, url_sealed, secret_sealed FROM webhook_subscriptions WHERE id = ? AND removed_at IS NULL
                    """),
                                           arguments: [id])
                let receiver = row.flatMap { row in WebhookChannel(rawValue: row[0]).map { Receiver(channel: $0, url: row[1], secret: row[2]) } }
                known[id] = receiver
                return receiver
            }
        }
    }

    public func claim(now: Date, limit: Int, lease: TimeInterval) async throws -> [ClaimedDelivery] {
        try await pool.write { db in
            // A lease that ran out belongs to a worker that died: the delivery is due again, same id.
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: """
                    UPDATE deliveries SET status = 'sending', attempts = attempts + 1, next_attempt_at = ?, updated_at = ?
                    WHERE id IN (SELECT id FROM deliveries WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?
                                 ORDER BY next_attempt_at LIMIT ?)
                    RETURNING id, attempts, failures, event_id, subscription_id
                    """),
                arguments: [now.addingTimeInterval(lease).timeIntervalSince1970, now.timeIntervalSince1970, now.timeIntervalSince1970, limit])
            guard !rows.isEmpty else { return [] }
            // Columns by position: on this path, looking them up by name costs more than the queries.
            let event = try db.cachedStatement(sql: "SELECT type, data, occurred_at, office_id, state FROM outbox_events WHERE id = ?")
            var receivers = Receivers(db)
            let cancel = try db.cachedStatement(sql: "UPDATE deliveries SET status = 'cancelled', updated_at = ? WHERE id = ?")
            let paused = try Self.pausedReceivers(db, at: now)
            // Given back, not sent: the receiver asked for a pause after this delivery was last scheduled (a lease
            // that ran out, or another lane's deferral). It waits out the pause as the receiver's others do.
            let wait = try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'pending', attempts = attempts - 1, next_attempt_at = ?, updated_at = ? WHERE id = ?
                """)
            return try rows.compactMap { row in
                let subscriptionID: Int64 = row[4], eventID: Int64 = row[3]
                guard let receiver = try receivers[subscriptionID] else {
                    // Its subscription was removed while the delivery waited for a retry.
                    try cancel.execute(arguments: [now.timeIntervalSince1970, row[0] as String])
                    return nil
                }
                if let until = paused[subscriptionID] {
                    try wait.execute(arguments: [until, now.timeIntervalSince1970, row[0] as String])
                    return nil
                }
                guard let happened = try Row.fetchOne(event, arguments: [eventID]), let type = EventType(rawValue: happened[0]) else { return nil }
                if happened[4] as String == "void" {
                    // A reminder of a booking cancelled since its last attempt.
                    try cancel.execute(arguments: [now.timeIntervalSince1970, row[0] as String])
                    return nil
                }
                return ClaimedDelivery(id: row[0], attempt: row[1], failures: row[2], subscriptionID: subscriptionID, channel: receiver.channel,
                                       sealedURL: receiver.url, sealedSecret: receiver.secret, eventID: eventID, eventType: type,
                                       eventData: happened[1], occurredAt: Date(timeIntervalSince1970: happened[2]), officeID: happened[3])
            }
        }
    }

    public func record(_ results: [DeliveryResult]) async throws {
        guard !results.isEmpty else { return }
        try await pool.write { db in
            let attempt = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO delivery_attempts (delivery_id, number, at, outcome, http_status, reply_code, detail, milliseconds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            // Only the holder of the lease records (status 'sending' and this attempt): a worker that lost its
            // lease to another cannot overwrite what the other did.
            let delivered = try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'delivered', updated_at = ? WHERE id = ? AND status = 'sending' AND attempts = ?
                """)
            let deliveredAtOnce = try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'delivered', updated_at = ?, first_http_status = ?, first_reply_code = ?, first_milliseconds = ?
                WHERE id = ? AND status = 'sending' AND attempts = 1
                """)
            let retry = try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'pending', failures = failures + 1, next_attempt_at = ?, updated_at = ?
                WHERE id = ? AND status = 'sending' AND attempts = ?
                """)
            let dead = try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'dead', failures = failures + 1, updated_at = ? WHERE id = ? AND status = 'sending' AND attempts = ?
                """)
            let deferred = try db.cachedStatement(sql: """
                UPDATE deliveries SET status = 'pending', attempts = attempts - 1, next_attempt_at = ?, updated_at = ?
                WHERE id = ? AND status = 'sending' AND attempts = ?
                """)
            for result in results {
                let at = result.at.timeIntervalSince1970
                let outcome: String
                switch result.next {
                case .delivered where result.attempt == 1 && result.detail == DeliveryResult.plainSuccess:
                    try deliveredAtOnce.execute(arguments: [at, result.httpStatus, result.replyCode, result.milliseconds, result.deliveryID])
                    continue
                case .delivered:
                    try delivered.execute(arguments: [at, result.deliveryID, result.attempt])
                    outcome = "delivered"
                case .retry(let when):
                    try retry.execute(arguments: [when.timeIntervalSince1970, at, result.deliveryID, result.attempt])
                    outcome = "retry"
                case .dead:
                    try dead.execute(arguments: [at, result.deliveryID, result.attempt])
                    outcome = "dead"
                case .deferred(let until):
                    try deferred.execute(arguments: [until.timeIntervalSince1970, at, result.deliveryID, result.attempt])
                    continue
                }
                guard db.changesCount == 1 else { continue }
                try attempt.execute(arguments: [result.deliveryID, result.attempt, at, outcome, result.httpStatus, result.replyCode,
                                                String(result.detail.prefix(500)), result.milliseconds])
            }
            for (subscription, until) in Dictionary(results.compactMap { r in r.pauseReceiverUntil.map { (r.subscriptionID, $0) } }, uniquingKeysWith: max) {
                try db.execute(sql: "UPDATE webhook_subscriptions SET paused_until = max(paused_until, ?) WHERE id = ?",
                               arguments: [until.timeIntervalSince1970, subscription])
                try db.execute(sql: """
                    UPDATE deliveries SET next_attempt_at = max(next_attempt_at, ?) WHERE subscription_id = ? AND status = 'pending'
                    """, arguments: [until.timeIntervalSince1970, subscription])
            }
        }
    }

    public func nextDue() async throws -> Date? {
        try await pool.read { db in
            let event = try Double.fetchOne(db, sql: "SELECT min(due_at) FROM outbox_events WHERE state = 'pending'")
            let delivery = try Double.fetchOne(db, sql: "SELECT min(next_attempt_at) FROM deliveries WHERE status IN ('pending', 'sending')")
            return [event, delivery].compactMap { $0 }.min().map(Date.init(timeIntervalSince1970:))
        }
    }

    // MARK: The log

    public func deliveries(subscriptionIDs: [Int64], status: DeliveryStatus?, limit: Int) async throws -> [DeliveryRecord] {
        guard !subscriptionIDs.isEmpty else { return [] }
        return try await pool.read { db in
            var sql = "SELECT id FROM deliveries WHERE subscription_id IN (\(subscriptionIDs.map { _ in "?" }.joined(separator: ",")))"
            var arguments = StatementArguments(subscriptionIDs)
            if let status {
                sql += " AND status = ?"
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT \(limit)"
            return try String.fetchAll(db, sql: sql, arguments: arguments).compactMap { try Self.delivery(db, id: $0) }
        }
    }

    public func delivery(id: String) async throws -> DeliveryRecord? {
        try await pool.read { db in try Self.delivery(db, id: id) }
    }

    public func revive(id: String, now: Date, audit: AuditRecord) async throws -> DeliveryRecord? {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE deliveries SET status = 'pending', failures = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'
                """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970, id])
            guard db.changesCount == 1 else { return nil }
            try SQLiteAudit.append(db, audit)
            return try Self.delivery(db, id: id)
        }
    }

    private static func delivery(_ db: Database, id: String) throws -> DeliveryRecord? {
        guard let row = try Row.fetchOne(db, sql: """
                SELECT d.id, d.subscription_id, d.event_id, e.type, d.status, d.next_attempt_at, d.created_at, d.updated_at,
                       d.first_http_status, d.first_reply_code, d.first_milliseconds
                FROM deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE d.id = ?
                """, arguments: [id]),
            let type = EventType(rawValue: row["type"]), let status = DeliveryStatus(rawValue: row["status"])
        else { return nil }
        var attempts = try Row.fetchAll(db, sql: """
            SELECT number, at, outcome, http_status, reply_code, detail, milliseconds FROM delivery_attempts WHERE delivery_id = ? ORDER BY number
            """, arguments: [id]).map {
            DeliveryRecord.Attempt(number: $0["number"], at: Date(timeIntervalSince1970: $0["at"]), outcome: $0["outcome"],
                                   httpStatus: $0["http_status"], replyCode: $0["reply_code"], detail: $0["detail"], milliseconds: $0["milliseconds"])
        }
        if let milliseconds: Int = row["first_milliseconds"] {
            // Delivered at the first attempt: its reply was kept on the delivery row (migration 0009).
            attempts.insert(DeliveryRecord.Attempt(number: 1, at: Date(timeIntervalSince1970: row["updated_at"]), outcome: "delivered",
                                                   httpStatus: row["first_http_status"], replyCode: row["first_reply_code"],
                                                   detail: DeliveryResult.plainSuccess, milliseconds: milliseconds), at: 0)
        }
        return DeliveryRecord(id: row["id"], subscriptionID: row["subscription_id"], eventID: row["event_id"], eventType: type, status: status,
                              nextAttemptAt: status == .pending || status == .sending ? Date(timeIntervalSince1970: row["next_attempt_at"]) : nil,
                              createdAt: Date(timeIntervalSince1970: row["created_at"]), attempts: attempts)
    }
}
