import Foundation
import Logging
import MinzhengCore
import PostgresNIO

/// Webhook subscriptions and the outbox's way out in PostgreSQL: the same contract as `SQLiteNotificationStore`.
///
/// Several processes may run delivery workers on one database. SQLite serialises every write; here the rows a
/// worker takes are locked `FOR UPDATE SKIP LOCKED` (due events in `fanOut`, due deliveries in `claim`): two
/// workers never take the same row and never wait for each other. A row another worker has just finished with
/// is read again at its newest version (READ COMMITTED), so an event fanned out meanwhile is no longer
/// 'pending' and a delivery leased meanwhile is no longer due.
public struct PostgresNotificationStore: NotificationStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(_ database: PostgresDatabase) {
        client = database.client
        logger = database.logger
    }

    // MARK: Subscriptions

    public func addSubscription(_ new: NewSubscription, audit: AuditRecord?) async throws -> WebhookSubscription {
        return try await client.transaction(logger: logger) { connection in
            let subscription = try await Self.insert(connection, new, logger: logger)
            if let audit {
                try await PostgresAudit.append(connection, AuditRecord(staffID: audit.staffID, action: audit.action, target: "webhook \(subscription.id)",
                                                                       at: audit.at, before: audit.before, after: audit.after), logger: logger)
            }
            return subscription
        }
    }

    public func replaceClientSubscription(_ new: NewSubscription) async throws -> WebhookSubscription {
        guard case .client(let clientID) = new.owner else { throw PostgresDatabaseError("not an app's webhook") }
        return try await client.transaction(logger: logger) { connection in
            // One replacement per app at a time, as SQLite's serial writes give: a second one waits here, then
            // removes what the first wrote, instead of running into the one-live-webhook index.
            try await connection.run("SELECT 1 FROM api_clients WHERE id = \(clientID) FOR NO KEY UPDATE", logger: logger)
            var earlier: [Int64] = []
            for try await id in try await connection.query(
                "SELECT id FROM webhook_subscriptions WHERE client_id = \(clientID) AND removed_at IS NULL ORDER BY id", logger: logger)
                .decode(Int64.self) {
                earlier.append(id)
            }
            for id in earlier { _ = try await Self.remove(connection, id: id, at: new.createdAt, logger: logger) }
            return try await Self.insert(connection, new, logger: logger)
        }
    }

    private static func insert(_ connection: PostgresConnection, _ new: NewSubscription, logger: Logger) async throws -> WebhookSubscription {
        var division: String?, office: Int64?, client: Int64?
        switch new.owner {
        case .staff(let code, let officeID): (division, office) = (code.rawValue, officeID)
        case .client(let id): client = id
        }
        let events = new.events.map(\.rawValue).sorted().joined(separator: ",")
        for try await id in try await connection.query("""
            INSERT INTO webhook_subscriptions (channel, url_sealed, url_redacted, secret_sealed, events, division_code, office_id,
                                               client_id, created_at)
            VALUES (\(new.channel.rawValue), \(new.sealedURL), \(new.redactedURL), \(new.sealedSecret), \(events), \(division), \(office),
                    \(client), \(new.createdAt.timeIntervalSince1970))
            RETURNING id
            """, logger: logger).decode(Int64.self) {
            return WebhookSubscription(id: id, channel: new.channel, redactedURL: new.redactedURL, events: new.events, owner: new.owner,
                                       createdAt: new.createdAt)
        }
        throw PostgresDatabaseError("INSERT ... RETURNING answered no row")
    }

    public func subscriptions() async throws -> [WebhookSubscription] {
        try await client.withConnection { connection in try await Self.subscriptions(connection, logger: logger) }
    }

    private static func subscriptions(_ connection: PostgresConnection, logger: Logger) async throws -> [WebhookSubscription] {
        var subscriptions: [WebhookSubscription] = []
        for try await (id, channel, redacted, events, division, office, clientID, createdAt) in try await connection.query("""
            SELECT id, channel, url_redacted, events, division_code, office_id, client_id, created_at
            FROM webhook_subscriptions WHERE removed_at IS NULL ORDER BY id
            """, logger: logger).decode((Int64, String, String, String, String?, Int64?, Int64?, Double).self) {
            guard let channel = WebhookChannel(rawValue: channel) else { continue }
            let owner: WebhookSubscription.Owner
            if let clientID {
                owner = .client(clientID)
            } else if let division = division.flatMap({ DivisionCode($0) }) {
                owner = .staff(division: division, officeID: office)
            } else {
                continue
            }
            let types = Set(events.split(separator: ",").compactMap { EventType(rawValue: String($0)) })
            subscriptions.append(WebhookSubscription(id: id, channel: channel, redactedURL: redacted, events: types, owner: owner,
                                                     createdAt: Date(timeIntervalSince1970: createdAt)))
        }
        return subscriptions
    }

    public func removeSubscription(id: Int64, audit: AuditRecord?) async throws -> Bool {
        return try await client.transaction(logger: logger) { connection in
            guard try await Self.remove(connection, id: id, at: audit?.at ?? Date(), logger: logger) else { return false }
            if let audit { try await PostgresAudit.append(connection, audit, logger: logger) }
            return true
        }
    }

    private static func remove(_ connection: PostgresConnection, id: Int64, at: Date, logger: Logger) async throws -> Bool {
        // FOR UPDATE (an UPDATE of removed_at alone would take a weaker lock): waits for a fan-out that is writing
        // deliveries to this subscription (it holds the row FOR SHARE), so the pending ones it wrote are cancelled
        // below; a fan-out that comes after sees the subscription removed and writes nothing to it.
        var live = false
        for try await _ in try await connection.query(
            "SELECT id FROM webhook_subscriptions WHERE id = \(id) AND removed_at IS NULL FOR UPDATE", logger: logger).decode(Int64.self) {
            live = true
        }
        guard live else { return false }
        try await connection.query("UPDATE webhook_subscriptions SET removed_at = \(at.timeIntervalSince1970) WHERE id = \(id)", logger: logger)
        try await connection.query("""
            UPDATE deliveries SET status = 'cancelled', updated_at = \(at.timeIntervalSince1970) WHERE subscription_id = \(id) AND status = 'pending'
            """, logger: logger)
        return true
    }

    // MARK: The way out

    public func fanOut(now: Date, limit: Int, lease: TimeInterval,
                       match: @escaping @Sendable (PendingEvent, [WebhookSubscription]) -> [Int64]) async throws
        -> (claimed: [ClaimedDelivery], full: Bool) {
        let at = now.timeIntervalSince1970, leased = now.addingTimeInterval(lease).timeIntervalSince1970
        return try await client.transaction(logger: logger) { connection in
            // Events another worker is fanning out are skipped, not waited for.
            var events: [Event] = []
            for try await (id, type, officeID, clientID, data, occurredAt, division) in try await connection.query("""
                SELECT id, type, office_id, client_id, data, occurred_at, division_code FROM outbox_events
                WHERE state = 'pending' AND due_at <= \(at) ORDER BY due_at, id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED
                """, logger: logger).decode((Int64, String, Int64?, Int64?, String, Double, String?).self) {
                events.append(Event(id: id, type: EventType(rawValue: type), officeID: officeID, clientID: clientID,
                                    divisionCode: division.flatMap { DivisionCode($0) }, data: data, occurredAt: occurredAt))
            }
            guard !events.isEmpty else { return ([], false) }
            // Read after the events: a subscription committed before one of them is in the list.
            let subscriptions = try await Self.subscriptions(connection, logger: logger)
            let matched = events.map { event in
                event.type.map { match(PendingEvent(id: event.id, type: $0, officeID: event.officeID, clientID: event.clientID,
                                                     divisionCode: event.divisionCode), subscriptions) } ?? []
            }
            // A subscription removed since that read gets nothing. FOR SHARE: a removal waits for this transaction,
            // and so does a pause (record), so neither misses the deliveries written here; other workers' fan-outs
            // share the lock and do not wait.
            let receivers = try await Self.receivers(connection, Set(matched.joined()), forFanOut: true, logger: logger)

            // A fresh delivery is leased to this worker as it is written, unless its receiver is paused.
            var rows = NewDeliveries()
            var leasedOut: [ClaimedDelivery] = []
            for (event, subscriptions) in zip(events, matched) {
                guard let type = event.type else { continue }
                var written = Set<Int64>()
                for subscription in subscriptions {
                    // A second delivery for the same pair would be ignored by SQLite's INSERT OR IGNORE; never propose it.
                    guard let receiver = receivers[subscription], written.insert(subscription).inserted else { continue }
                    let id = DeliveryID.make(at: now)
                    if receiver.pausedUntil > at {
                        rows.append(id: id, event: event.id, subscription: subscription, status: "pending", attempts: 0, next: receiver.pausedUntil)
                        continue
                    }
                    rows.append(id: id, event: event.id, subscription: subscription, status: "sending", attempts: 1, next: leased)
                    leasedOut.append(ClaimedDelivery(id: id, attempt: 1, failures: 0, subscriptionID: subscription, channel: receiver.channel,
                                                     sealedURL: receiver.url, sealedSecret: receiver.secret, eventID: event.id, eventType: type,
                                                     eventData: event.data, occurredAt: Date(timeIntervalSince1970: event.occurredAt),
                                                     officeID: event.officeID))
                }
            }
            // One statement for the batch; a pair that already has a delivery is left alone (and not leased), as
            // SQLite's INSERT OR IGNORE does.
            var inserted = Set<String>()
            if !rows.ids.isEmpty {
                for try await id in try await connection.query("""
                    INSERT INTO deliveries (id, event_id, subscription_id, status, attempts, next_attempt_at, created_at, updated_at)
                    SELECT u.id, u.event_id, u.subscription_id, u.status, u.attempts, u.next_attempt_at, \(at), \(at)
                    FROM unnest(\(rows.ids)::text[], \(rows.events)::bigint[], \(rows.subscriptions)::bigint[], \(rows.statuses)::text[],
                                \(rows.attempts)::integer[], \(rows.next)::double precision[])
                        AS u(id, event_id, subscription_id, status, attempts, next_attempt_at)
                    ON CONFLICT DO NOTHING
                    RETURNING id
                    """, logger: logger).decode(String.self) {
                    inserted.insert(id)
                }
            }
            // Every event taken is done, even one of a type this build does not know (as in SQLite).
            try await connection.query("UPDATE outbox_events SET state = 'fanned' WHERE id = ANY(\(events.map(\.id)))", logger: logger)
            return (leasedOut.filter { inserted.contains($0.id) }, events.count == limit)
        }
    }

    public func claim(now: Date, limit: Int, lease: TimeInterval) async throws -> [ClaimedDelivery] {
        let at = now.timeIntervalSince1970, leased = now.addingTimeInterval(lease).timeIntervalSince1970
        return try await client.transaction(logger: logger) { connection in
            // A lease that ran out belongs to a worker that died: the delivery is due again, same id. Rows another
            // worker is claiming or recording are skipped, not waited for.
            var taken: [(id: String, attempt: Int, failures: Int, eventID: Int64, subscriptionID: Int64)] = []
            for try await (id, attempt, failures, eventID, subscriptionID) in try await connection.query("""
                WITH due AS (
                    SELECT id FROM deliveries WHERE status IN ('pending', 'sending') AND next_attempt_at <= \(at)
                    ORDER BY next_attempt_at, id LIMIT \(limit)
                    FOR UPDATE SKIP LOCKED
                )
                UPDATE deliveries d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = \(leased), updated_at = \(at)
                FROM due WHERE d.id = due.id
                RETURNING d.id, d.attempts, d.failures, d.event_id, d.subscription_id
                """, logger: logger).decode((String, Int, Int, Int64, Int64).self) {
                taken.append((id, attempt, failures, eventID, subscriptionID))
            }
            guard !taken.isEmpty else { return [] }
            // Read without a row lock: this transaction already holds deliveries that a removal may be waiting to
            // cancel, and a lock here could close that circle.
            let receivers = try await Self.receivers(connection, Set(taken.map(\.subscriptionID)), forFanOut: false, logger: logger)
            var events: [Int64: Event] = [:]
            var void: Set<Int64> = []
            for try await (id, type, data, occurredAt, officeID, state) in try await connection.query("""
                SELECT id, type, data, occurred_at, office_id, state FROM outbox_events WHERE id = ANY(\(Array(Set(taken.map(\.eventID)))))
                """, logger: logger).decode((Int64, String, String, Double, Int64?, String).self) {
                events[id] = Event(id: id, type: EventType(rawValue: type), officeID: officeID, clientID: nil, divisionCode: nil, data: data, occurredAt: occurredAt)
                if state == "void" { void.insert(id) }
            }
            var claimed: [ClaimedDelivery] = []
            var cancelled: [String] = []
            var waiting: (ids: [String], until: [Double]) = ([], [])
            for delivery in taken {
                guard let receiver = receivers[delivery.subscriptionID] else {
                    // Its subscription was removed while the delivery waited for a retry.
                    cancelled.append(delivery.id)
                    continue
                }
                // Given back, not sent: the receiver asked for a pause after this delivery was last scheduled (a
                // lease that ran out, or another lane's deferral). It waits out the pause as the receiver's others do.
                if receiver.pausedUntil > at {
                    waiting.ids.append(delivery.id)
                    waiting.until.append(receiver.pausedUntil)
                    continue
                }
                // An event of a type this build does not know stays leased, as in SQLite.
                guard let event = events[delivery.eventID], let type = event.type else { continue }
                if void.contains(delivery.eventID) {
                    // A reminder of a booking cancelled since its last attempt.
                    cancelled.append(delivery.id)
                    continue
                }
                claimed.append(ClaimedDelivery(id: delivery.id, attempt: delivery.attempt, failures: delivery.failures,
                                               subscriptionID: delivery.subscriptionID, channel: receiver.channel, sealedURL: receiver.url,
                                               sealedSecret: receiver.secret, eventID: delivery.eventID, eventType: type, eventData: event.data,
                                               occurredAt: Date(timeIntervalSince1970: event.occurredAt), officeID: event.officeID))
            }
            if !cancelled.isEmpty {
                try await connection.query("UPDATE deliveries SET status = 'cancelled', updated_at = \(at) WHERE id = ANY(\(cancelled))",
                                           logger: logger)
            }
            if !waiting.ids.isEmpty {
                try await connection.query("""
                    UPDATE deliveries d SET status = 'pending', attempts = d.attempts - 1, next_attempt_at = w.until, updated_at = \(at)
                    FROM unnest(\(waiting.ids)::text[], \(waiting.until)::double precision[]) AS w(id, until) WHERE d.id = w.id
                    """, logger: logger)
            }
            return claimed
        }
    }

    public func record(_ results: [DeliveryResult]) async throws {
        guard !results.isEmpty else { return }
        // SQLite applies results one by one: once one is applied the delivery is no longer 'sending', so a later
        // result for the same (delivery, attempt) changes nothing. Keeping the first of each does the same in one
        // statement (UPDATE ... FROM would otherwise pick one of several matching rows at random).
        var seen = Set<String>()
        var batch = Outcomes()
        for result in results {
            guard seen.insert("\(result.deliveryID)\u{1F}\(result.attempt)").inserted else { continue }
            batch.append(result)
        }
        let pauses = Dictionary(results.compactMap { r in r.pauseReceiverUntil.map { (r.subscriptionID, $0) } }, uniquingKeysWith: max)
            .sorted { $0.key < $1.key }  // one lock order for every worker
        try await client.transaction(logger: logger) { connection in
            // Only the holder of the lease records (status 'sending' and this attempt): a worker that lost its lease
            // to another cannot overwrite what the other did. A deferred send is no attempt: it gives the attempt
            // number back and writes no attempt row.
            try await connection.query("""
                WITH r AS (
                    -- A first attempt that simply succeeded keeps its reply on the delivery row, as in SQLite.
                    SELECT u.*, u.outcome = 'delivered' AND u.attempt = 1 AND u.detail = \(DeliveryResult.plainSuccess) AS at_once
                    FROM unnest(\(batch.ids)::text[], \(batch.attempts)::integer[], \(batch.outcomes)::text[],
                                \(batch.next)::double precision[], \(batch.at)::double precision[], \(batch.httpStatuses)::text[],
                                \(batch.replyCodes)::text[], \(batch.details)::text[], \(batch.milliseconds)::bigint[])
                        AS u(delivery_id, attempt, outcome, next_attempt_at, at, http_status, reply_code, detail, milliseconds)
                ),
                changed AS (
                    UPDATE deliveries d SET
                        status = CASE r.outcome WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead' ELSE 'pending' END,
                        failures = d.failures + CASE WHEN r.outcome IN ('retry', 'dead') THEN 1 ELSE 0 END,
                        attempts = d.attempts - CASE WHEN r.outcome = 'deferred' THEN 1 ELSE 0 END,
                        next_attempt_at = CASE WHEN r.outcome IN ('retry', 'deferred') THEN r.next_attempt_at ELSE d.next_attempt_at END,
                        first_http_status = CASE WHEN r.at_once THEN NULLIF(r.http_status, '')::integer ELSE d.first_http_status END,
                        first_reply_code = CASE WHEN r.at_once THEN NULLIF(r.reply_code, '')::bigint ELSE d.first_reply_code END,
                        first_milliseconds = CASE WHEN r.at_once THEN r.milliseconds ELSE d.first_milliseconds END,
                        updated_at = r.at
                    FROM r
                    WHERE d.id = r.delivery_id AND d.status = 'sending' AND d.attempts = r.attempt
                    RETURNING d.id, r.attempt
                )
                INSERT INTO delivery_attempts (delivery_id, number, at, outcome, http_status, reply_code, detail, milliseconds)
                SELECT r.delivery_id, r.attempt, r.at, r.outcome, NULLIF(r.http_status, '')::integer, NULLIF(r.reply_code, '')::bigint,
                       r.detail, r.milliseconds
                FROM r JOIN changed c ON c.id = r.delivery_id AND c.attempt = r.attempt
                WHERE r.outcome <> 'deferred' AND NOT r.at_once
                ON CONFLICT (delivery_id, number) DO UPDATE SET at = excluded.at, outcome = excluded.outcome,
                    http_status = excluded.http_status, reply_code = excluded.reply_code, detail = excluded.detail,
                    milliseconds = excluded.milliseconds
                """, logger: logger)
            // Rare (a receiver's throttle): a statement pair per receiver, subscriptions in id order. The
            // subscription first: a second pause of the same receiver waits there, not among its deliveries.
            for (subscription, until) in pauses {
                let end = until.timeIntervalSince1970
                try await connection.query("""
                    UPDATE webhook_subscriptions SET paused_until = GREATEST(paused_until, \(end)) WHERE id = \(subscription)
                    """, logger: logger)
                try await connection.query("""
                    UPDATE deliveries SET next_attempt_at = GREATEST(next_attempt_at, \(end)) WHERE subscription_id = \(subscription) AND status = 'pending'
                    """, logger: logger)
            }
        }
    }

    public func nextDue() async throws -> Date? {
        for try await (event, delivery) in try await client.query("""
            SELECT (SELECT min(due_at) FROM outbox_events WHERE state = 'pending'),
                   (SELECT min(next_attempt_at) FROM deliveries WHERE status IN ('pending', 'sending'))
            """, logger: logger).decode((Double?, Double?).self) {
            return [event, delivery].compactMap { $0 }.min().map(Date.init(timeIntervalSince1970:))
        }
        return nil
    }

    // MARK: The log

    public func deliveries(subscriptionIDs: [Int64], status: DeliveryStatus?, limit: Int) async throws -> [DeliveryRecord] {
        guard !subscriptionIDs.isEmpty else { return [] }
        return try await client.snapshot(logger: logger) { connection in
            let rows = try await connection.query("""
                SELECT \(unescaped: Self.deliveryColumns)
                FROM deliveries d JOIN outbox_events e ON e.id = d.event_id
                WHERE d.subscription_id = ANY(\(subscriptionIDs)) AND (\(status?.rawValue)::text IS NULL OR d.status = \(status?.rawValue))
                ORDER BY d.created_at DESC, d.id DESC LIMIT \(limit)
                """, logger: logger)
            return try await Self.records(connection, rows, logger: logger)
        }
    }

    public func delivery(id: String) async throws -> DeliveryRecord? {
        try await client.snapshot(logger: logger) { connection in try await Self.delivery(connection, id: id, logger: logger) }
    }

    public func revive(id: String, now: Date, audit: AuditRecord) async throws -> DeliveryRecord? {
        let at = now.timeIntervalSince1970
        return try await client.transaction(logger: logger) { connection in
            var revived = false
            for try await _ in try await connection.query("""
                UPDATE deliveries SET status = 'pending', failures = 0, next_attempt_at = \(at), updated_at = \(at)
                WHERE id = \(id) AND status = 'dead' RETURNING id
                """, logger: logger).decode(String.self) {
                revived = true
            }
            guard revived else { return nil }
            try await PostgresAudit.append(connection, audit, logger: logger)
            return try await Self.delivery(connection, id: id, logger: logger)
        }
    }

    private static func delivery(_ connection: PostgresConnection, id: String, logger: Logger) async throws -> DeliveryRecord? {
        let rows = try await connection.query("""
            SELECT \(unescaped: Self.deliveryColumns)
            FROM deliveries d JOIN outbox_events e ON e.id = d.event_id WHERE d.id = \(id)
            """, logger: logger)
        return try await records(connection, rows, logger: logger).first
    }

    private static let deliveryColumns = """
        d.id, d.subscription_id, d.event_id, e.type, d.status, d.next_attempt_at, d.created_at, d.updated_at,
        d.first_http_status, d.first_reply_code, d.first_milliseconds
        """

    /// A delivery as `deliveryColumns` reads it.
    private struct DeliveryRow {
        let id: String, subscriptionID: Int64, eventID: Int64, type: EventType, status: DeliveryStatus
        let next: Double, created: Double, updated: Double
        let firstHTTPStatus: Int?, firstReplyCode: Int?, firstMilliseconds: Int?
    }

    /// Deliveries (rows of `deliveryColumns`, in the order wanted) with their attempts, read in one more query.
    private static func records(_ connection: PostgresConnection, _ rows: PostgresRowSequence, logger: Logger) async throws -> [DeliveryRecord] {
        var found: [DeliveryRow] = []
        for try await (id, subscriptionID, eventID, type, status, next, created, updated, firstStatus, firstCode, firstMilliseconds)
            in rows.decode((String, Int64, Int64, String, String, Double, Double, Double, Int?, Int?, Int?).self) {
            guard let type = EventType(rawValue: type), let status = DeliveryStatus(rawValue: status) else { continue }
            found.append(DeliveryRow(id: id, subscriptionID: subscriptionID, eventID: eventID, type: type, status: status, next: next,
                                     created: created, updated: updated, firstHTTPStatus: firstStatus, firstReplyCode: firstCode,
                                     firstMilliseconds: firstMilliseconds))
        }
        guard !found.isEmpty else { return [] }
        var attempts: [String: [DeliveryRecord.Attempt]] = [:]
        for try await (deliveryID, number, at, outcome, httpStatus, replyCode, detail, milliseconds) in try await connection.query("""
            SELECT delivery_id, number, at, outcome, http_status, reply_code, detail, milliseconds FROM delivery_attempts
            WHERE delivery_id = ANY(\(found.map(\.id))) ORDER BY delivery_id, number
            """, logger: logger).decode((String, Int, Double, String, Int?, Int?, String, Int).self) {
            attempts[deliveryID, default: []].append(DeliveryRecord.Attempt(number: number, at: Date(timeIntervalSince1970: at), outcome: outcome,
                                                                            httpStatus: httpStatus, replyCode: replyCode, detail: detail,
                                                                            milliseconds: milliseconds))
        }
        return found.map { row in
            var kept = attempts[row.id] ?? []
            if let milliseconds = row.firstMilliseconds {
                // Delivered at the first attempt: its reply was kept on the delivery row.
                kept.insert(DeliveryRecord.Attempt(number: 1, at: Date(timeIntervalSince1970: row.updated), outcome: "delivered",
                                                   httpStatus: row.firstHTTPStatus, replyCode: row.firstReplyCode,
                                                   detail: DeliveryResult.plainSuccess, milliseconds: milliseconds), at: 0)
            }
            return DeliveryRecord(id: row.id, subscriptionID: row.subscriptionID, eventID: row.eventID, eventType: row.type, status: row.status,
                                  nextAttemptAt: row.status == .pending || row.status == .sending ? Date(timeIntervalSince1970: row.next) : nil,
                                  createdAt: Date(timeIntervalSince1970: row.created), attempts: kept)
        }
    }

    // MARK: Rows

    /// An outbox event as fan-out and claim read it (`type` nil: a type this build does not know).
    private struct Event {
        let id: Int64
        let type: EventType?
        let officeID: Int64?
        let clientID: Int64?
        let divisionCode: DivisionCode?
        let data: String
        let occurredAt: Double
    }

    /// A subscription's channel and sealed URL and secret; nil in the map when it was removed.
    private struct Receiver {
        let channel: WebhookChannel
        let url: Data
        let secret: Data?
        let pausedUntil: Double
    }

    /// `forFanOut`: rows locked FOR SHARE, in id order (the order `record` takes its pauses in, so the two never
    /// wait for each other in a circle).
    private static func receivers(_ connection: PostgresConnection, _ ids: Set<Int64>, forFanOut: Bool, logger: Logger) async throws
        -> [Int64: Receiver] {
        guard !ids.isEmpty else { return [:] }
        var receivers: [Int64: Receiver] = [:]
        for try await (id, channel, url, secret, pausedUntil) in try await connection.query("""
            SELECT id, channel, url_sealed, secret_sealed, paused_until FROM webhook_subscriptions
            WHERE id = ANY(\(Array(ids))) AND removed_at IS NULL ORDER BY id \(unescaped: forFanOut ? "FOR SHARE" : "")
            """, logger: logger).decode((Int64, String, Data, Data?, Double).self) {
            // A channel this build does not know is treated as no receiver, as in SQLite.
            if let channel = WebhookChannel(rawValue: channel) {
                receivers[id] = Receiver(channel: channel, url: url, secret: secret, pausedUntil: pausedUntil)
            }
        }
        return receivers
    }

    /// New deliveries as columns, for one `unnest` insert.
    private struct NewDeliveries {
        var ids: [String] = [], events: [Int64] = [], subscriptions: [Int64] = [], statuses: [String] = [], attempts: [Int] = [], next: [Double] = []

        mutating func append(id: String, event: Int64, subscription: Int64, status: String, attempts count: Int, next moment: Double) {
            ids.append(id)
            events.append(event)
            subscriptions.append(subscription)
            statuses.append(status)
            attempts.append(count)
            next.append(moment)
        }
    }

    /// Delivery results as columns, for one `unnest` update. Nullable integers travel as text ('' for none):
    /// postgres-nio encodes no arrays of optionals.
    private struct Outcomes {
        var ids: [String] = [], attempts: [Int] = [], outcomes: [String] = [], next: [Double] = [], at: [Double] = []
        var httpStatuses: [String] = [], replyCodes: [String] = [], details: [String] = [], milliseconds: [Int] = []

        mutating func append(_ result: DeliveryResult) {
            let (outcome, moment): (String, Double) =
                switch result.next {
                case .delivered: ("delivered", 0)
                case .retry(let when): ("retry", when.timeIntervalSince1970)
                case .dead: ("dead", 0)
                case .deferred(let until): ("deferred", until.timeIntervalSince1970)
                }
            ids.append(result.deliveryID)
            attempts.append(result.attempt)
            outcomes.append(outcome)
            next.append(moment)
            at.append(result.at.timeIntervalSince1970)
            httpStatuses.append(result.httpStatus.map(String.init) ?? "")
            replyCodes.append(result.replyCode.map(String.init) ?? "")
            details.append(String(result.detail.prefix(500)))
            milliseconds.append(result.milliseconds)
        }
    }
}
