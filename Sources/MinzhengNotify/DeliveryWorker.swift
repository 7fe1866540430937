import Foundation
import Logging
import MinzhengCore
import ServiceLifecycle
import Synchronization

/// Delivers the outbox: turns due events into deliveries (one per interested subscription), then sends them
/// in batches over one `CurlTransport`, judging every reply by its channel's rules and recording each
/// attempt. Runs inside `minzheng serve` and alone as `minzheng notify-worker`; several may run on one
/// database, as each delivery is leased to one worker at a time and a dead worker's lease runs out.
public struct DeliveryWorker: Service {
    public struct Options: Sendable {
        /// Deliveries claimed at once by each lane.
        public var batchSize = 256
        /// Batches in flight at once.
        public var lanes = 4
        /// How long a claimed delivery stays with this worker before another may take it.
        public var lease: TimeInterval = 60
        /// How long to sleep when nothing is due.
        public var idlePoll: Duration = .milliseconds(100)
        public var transport = CurlTransport.Options()
        public var schedule = RetrySchedule()
        /// Scales the waits receivers ask for (Retry-After, WeCom's 45009, DingTalk's ten-minute throttle).
        /// 1 in service; tests shrink it so a ten-minute throttle passes in well under a second.
        public var receiverWaitScale: Double = 1
        /// While citizens are booking, one lane sends at most this many at a time and pauses between batches.
        public var yieldBatch = 32
        public var yieldPause: Duration = .milliseconds(10)

        public init() {}
    }

    let store: any NotificationStore
    let offices: any OfficeDirectory
    let cipher: PersonalDataCipher
    let options: Options
    let logger: Logger
    /// Bookings in flight (nil: never yield).
    let foreground: ForegroundActivity?
    let now: @Sendable () -> Date

    public init(store: any NotificationStore, offices: any OfficeDirectory, cipher: PersonalDataCipher, options: Options = Options(),
                foreground: ForegroundActivity? = nil, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.foreground = foreground
        self.offices = offices
        self.cipher = cipher
        self.options = options
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        let transport = CurlTransport(options: options.transport)
        defer { transport.shutdown() }
        let limits = ReceiverLimits()
        let receivers = OpenedReceivers()
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for lane in 0..<options.lanes {
                    group.addTask {
                        await forever("delivery") {
                            // Citizens first: while bookings run, one lane sends small batches with pauses between.
                            guard let foreground, foreground.isBusy() else {
                                return try await deliverBatch(transport, limits, receivers, limit: options.batchSize)
                            }
                            guard lane == 0 else { return false }
                            let sent = try await deliverBatch(transport, limits, receivers, limit: options.yieldBatch)
                            try await Task.sleep(for: options.yieldPause)
                            return sent
                        }
                    }
                }
            }
        }
    }

    /// Runs `step` until cancelled; a step that found nothing to do (false) sleeps first. Errors (a busy
    /// database) are logged and the step is tried again a second later: the worker never gives up.
    private func forever(_ name: String, _ step: @Sendable () async throws -> Bool) async {
        while !Task.isCancelled {
            do {
                if try await !step() { try await Task.sleep(for: options.idlePoll) }
            } catch is CancellationError {
                return
            } catch {
                logger.error("notify \(name) step failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// True when an event or a delivery is due: a read, so an idle worker never takes the write lock.
    private func somethingDue() async throws -> Bool {
        guard let due = try await store.nextDue() else { return false }
        return due <= now()
    }

    /// One round: new events first (fanned out and leased in one write), else deliveries due again (retries,
    /// and leases of a worker that died). Sends them, records the outcomes; false when nothing was due.
    func deliverBatch(_ transport: CurlTransport, _ limits: ReceiverLimits, _ receivers: OpenedReceivers, limit: Int) async throws -> Bool {
        guard try await somethingDue() else { return false }
        let offices = self.offices
        var (claimed, more) = try await store.fanOut(now: now(), limit: limit, lease: options.lease) { event, subscriptions in
            let division = event.officeID.flatMap { offices.registry($0)?.division } ?? event.divisionCode
            return subscriptions.filter { $0.wants(event.type, officeID: event.officeID, clientID: event.clientID, eventDivision: division) }
                .map(\.id)
        }
        if claimed.isEmpty {
            claimed = try await store.claim(now: now(), limit: limit, lease: options.lease)
            more = more || !claimed.isEmpty
        }
        guard !claimed.isEmpty else { return more }
        var results: [DeliveryResult] = []
        var sending: [(delivery: ClaimedDelivery, receiverURL: String, request: OutgoingRequest)] = []
        for delivery in claimed {
            let at = now()
            guard let receiver = receivers.open(delivery, with: cipher) else {
                results.append(DeliveryResult(deliveryID: delivery.id, attempt: delivery.attempt, at: at, next: .dead,
                                              detail: "the webhook's URL or secret cannot be decrypted with this key",
                                              subscriptionID: delivery.subscriptionID))
                continue
            }
            // Counted as in flight from here: every admitted delivery is sent, and its reply recorded below.
            let allowed = limits.admit(receiver.url, channel: delivery.channel, at: at)
            if allowed > at {
                results.append(DeliveryResult(deliveryID: delivery.id, attempt: delivery.attempt, at: at, next: .deferred(until: allowed),
                                              subscriptionID: delivery.subscriptionID))
                continue
            }
            let request = ChannelMessage.request(channel: delivery.channel, url: receiver.url, secret: receiver.secret,
                                                 webhookSigner: receiver.webhookSigner, deliveryID: delivery.id, type: delivery.eventType,
                                                 data: delivery.eventData, occurredAt: delivery.occurredAt,
                                                 officeName: delivery.channel == .webhook ? nil : delivery.officeID.flatMap { offices.registry($0)?.name },
                                                 now: at)
            sending.append((delivery, receiver.url, request))
        }
        let replies = await transport.send(sending.map(\.request))
        let at = now()
        for item in sending { limits.replied(item.receiverURL, at: at) }
        for (item, reply) in zip(sending, replies) {
            let result = judge(item.delivery, reply, at: at)
            if let until = result.pauseReceiverUntil { limits.pause(item.receiverURL, until: until) }
            if case .dead = result.next {
                logger.warning("delivery dead", metadata: ["delivery.id": "\(item.delivery.id)", "webhook.id": "\(item.delivery.subscriptionID)",
                                                           "delivery.detail": "\(result.detail)"])
            }
            results.append(result)
        }
        // What went out is recorded even when the worker is stopping: the stores refuse to start a write in a
        // cancelled task, and these deliveries would then stay leased and go out again when the lease ran out.
        // The unstructured task does not inherit the cancellation; it is awaited here, so it ends with the batch.
        let store = self.store
        try await Task { try await store.record(results) }.value
        return true
    }

    /// What a reply means for the delivery: delivered, again later (by the schedule, never sooner than the
    /// receiver asked), or dead.
    func judge(_ delivery: ClaimedDelivery, _ reply: TransportReply, at: Date) -> DeliveryResult {
        func result(_ next: DeliveryResult.Next, _ detail: String, code: Int? = nil, pause: Date? = nil) -> DeliveryResult {
            DeliveryResult(deliveryID: delivery.id, attempt: delivery.attempt, at: at, next: next, httpStatus: reply.status, replyCode: code,
                           detail: detail, milliseconds: reply.milliseconds, pauseReceiverUntil: pause, subscriptionID: delivery.subscriptionID)
        }
        func retry(_ detail: String, after asked: TimeInterval?, code: Int? = nil) -> DeliveryResult {
            // Finite and at most a day, whatever the receiver or a classifier said.
            let after = asked.flatMap { $0.isFinite && $0 >= 0 ? min($0, 86_400) * options.receiverWaitScale : nil }
            guard let next = options.schedule.nextAttempt(after: delivery.failures + 1, at: at, retryAfter: after) else {
                return result(.dead, "\(detail); no attempts left", code: code)
            }
            // A receiver that asked us to wait (rate limit, throttle) gets nothing from us until then.
            return result(.retry(at: next), detail, code: code, pause: after.map { at.addingTimeInterval($0) })
        }
        if let error = reply.error {
            if reply.refusedAddress { return result(.dead, "the webhook's address is private or loopback; not sent") }
            // Robots do not drop duplicates: a request that went out whole may have been shown already.
            if reply.timedOutAfterSending, delivery.channel != .webhook {
                return result(.delivered, "timed out after the whole message was sent; counted as delivered so the group does not see it twice")
            }
            return retry(error, after: nil)
        }
        let status = reply.status ?? 0
        // Robots put their verdict in the body; an app webhook's status says it all.
        let code = delivery.channel == .webhook ? nil : ReplyClassifier.code(delivery.channel, reply.body)
        switch ReplyClassifier.classify(delivery.channel, status: status, body: reply.body, retryAfter: reply.retryAfter) {
        case .delivered: return result(.delivered, DeliveryResult.plainSuccess, code: code)
        case .retry(let after, let reason): return retry(reason, after: after, code: code)
        case .permanent(let reason): return result(.dead, reason, code: code)
        }
    }
}

/// Decrypted URLs and secrets by subscription, so a batch to one receiver opens them once, not per message.
/// A subscription's URL and secret never change (setting new ones makes a new subscription).
final class OpenedReceivers: Sendable {
    struct Receiver: Sendable, CustomStringConvertible, CustomReflectable {
        let url: String
        let secret: String?
        /// An app webhook's secret, ready to sign with.
        let webhookSigner: StandardWebhookSigner?

        // The URL and the secret are credentials: printed or dumped, a receiver shows neither.
        var description: String { "Receiver(url: <redacted>, secret: \(secret == nil ? "none" : "<redacted>"))" }
        var customMirror: Mirror { Mirror(self, children: [:]) }
    }

    private let opened = Mutex<[Int64: Receiver]>([:])

    /// Nil when the URL or the secret cannot be opened: a message to a signed receiver never goes out unsigned.
    func open(_ delivery: ClaimedDelivery, with cipher: PersonalDataCipher) -> Receiver? {
        if let known = opened.withLock({ $0[delivery.subscriptionID] }) { return known }
        let url: String, secret: String?
        do {
            url = try cipher.open(delivery.sealedURL)
            secret = try delivery.sealedSecret.map { try cipher.open($0) }
        } catch {
            return nil
        }
        let signer = delivery.channel == .webhook ? secret.map(StandardWebhookSigner.init(webhookSecret:)) : nil
        let receiver = Receiver(url: url, secret: secret, webhookSigner: signer)
        opened.withLock { $0[delivery.subscriptionID] = receiver }
        return receiver
    }
}

/// Each receiver's recent sends and pauses, shared by the lanes of one worker, so the robots' limits are kept by
/// waiting. Kept by URL, not by subscription: two subscriptions to one robot (one for bookings, one for closures,
/// say) share its limit, and a pause one of them was asked for (WeCom's 45009, DingTalk's throttle) holds the
/// other too. (The database keeps a pause per subscription, which sealed URLs cannot be matched by.) Each worker
/// process keeps its own.
final class ReceiverLimits: Sendable {
    private struct State {
        var logs: [String: SendLog] = [:]
        var pausedUntil: [String: Date] = [:]
    }

    private let state = Mutex(State())

    /// Now (and the send is counted as in flight) when the receiver may take another message; otherwise when it may.
    func admit(_ receiverURL: String, channel: WebhookChannel, at: Date) -> Date {
        state.withLock { state in
            if let until = state.pausedUntil[receiverURL] {
                if until > at { return until }
                state.pausedUntil[receiverURL] = nil
            }
            var log = state.logs[receiverURL] ?? SendLog(limits: SendRate.limits(for: channel))
            let next = log.nextAllowed(at: at)
            if next <= at { log.sent() }
            state.logs[receiverURL] = log
            return next
        }
    }

    func replied(_ receiverURL: String, at: Date) {
        state.withLock { state in state.logs[receiverURL]?.replied(at: at) }
    }

    /// The receiver asked for nothing more until `until`.
    func pause(_ receiverURL: String, until: Date) {
        state.withLock { state in state.pausedUntil[receiverURL] = max(state.pausedUntil[receiverURL] ?? until, until) }
    }
}

extension DeliveryWorker: CustomStringConvertible {
    /// What the service group logs: reflecting the stores and caches inside would print their internals.
    public var description: String { "DeliveryWorker(lanes: \(options.lanes), batch: \(options.batchSize))" }
}
