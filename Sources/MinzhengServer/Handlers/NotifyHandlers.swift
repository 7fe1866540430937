import Foundation
import MinzhengAPI
import MinzhengCore

/// Webhooks of office groups (staff) and of apps (client key), and the delivery log.
extension APIHandler {
    func listStaffWebhooks(_ input: Operations.ListStaffWebhooks.Input) async throws -> Operations.ListStaffWebhooks.Output {
        let staff = try caller.requireStaff()
        return .ok(.init(body: .json(.init(items: try await notifications.staffWebhooks(by: staff).map { .init($0) }))))
    }

    func createStaffWebhook(_ input: Operations.CreateStaffWebhook.Input) async throws -> Operations.CreateStaffWebhook.Output {
        let staff = try caller.requireStaff()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let made = try await notifications.registerStaffWebhook(
            channel: body.channel.rawValue, url: body.url, secret: body.secret, events: body.events.map(\.rawValue), division: body.division,
            officeID: body.officeId, by: staff)
        return .created(.init(body: .json(.init(made.subscription, secret: made.secret))))
    }

    func deleteStaffWebhook(_ input: Operations.DeleteStaffWebhook.Input) async throws -> Operations.DeleteStaffWebhook.Output {
        let staff = try caller.requireStaff()
        try await notifications.removeStaffWebhook(id: input.path.webhookId, by: staff)
        return .noContent(.init())
    }

    func listDeliveries(_ input: Operations.ListDeliveries.Input) async throws -> Operations.ListDeliveries.Output {
        let staff = try caller.requireStaff()
        let found = try await notifications.deliveries(status: input.query.status?.rawValue, webhookID: input.query.webhookId,
                                                       limit: input.query.limit ?? 20, by: staff)
        return .ok(.init(body: .json(.init(items: found.map { .init($0) }))))
    }

    func retryDelivery(_ input: Operations.RetryDelivery.Input) async throws -> Operations.RetryDelivery.Output {
        let staff = try caller.requireStaff()
        return .ok(.init(body: .json(.init(try await notifications.retryDelivery(id: input.path.deliveryId, by: staff)))))
    }

    func getClientWebhook(_ input: Operations.GetClientWebhook.Input) async throws -> Operations.GetClientWebhook.Output {
        let client = try caller.requireClient()
        return .ok(.init(body: .json(.init(try await notifications.clientWebhook(for: client)))))
    }

    func putClientWebhook(_ input: Operations.PutClientWebhook.Input) async throws -> Operations.PutClientWebhook.Output {
        let client = try caller.requireClient()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let made = try await notifications.setClientWebhook(url: body.url, events: body.events.map(\.rawValue), for: client)
        return .ok(.init(body: .json(.init(made.subscription, secret: made.secret))))
    }

    func deleteClientWebhook(_ input: Operations.DeleteClientWebhook.Input) async throws -> Operations.DeleteClientWebhook.Output {
        let client = try caller.requireClient()
        try await notifications.removeClientWebhook(for: client)
        return .noContent(.init())
    }
}

extension Components.Schemas.Webhook {
    init(_ subscription: WebhookSubscription, secret: String? = nil) {
        var division: String?, officeID: Int64?
        if case .staff(let code, let office) = subscription.owner { (division, officeID) = (code.rawValue, office) }
        self.init(id: subscription.id, channel: .init(rawValue: subscription.channel.rawValue) ?? .webhook, url: subscription.redactedURL,
                  events: subscription.events.map(\.rawValue).sorted().compactMap(Components.Schemas.EventType.init(rawValue:)),
                  division: division, officeId: officeID, createdAt: subscription.createdAt, secret: secret)
    }
}

extension Components.Schemas.Delivery {
    init(_ record: DeliveryRecord) {
        self.init(id: record.id, webhookId: record.subscriptionID, eventId: record.eventID,
                  eventType: .init(rawValue: record.eventType.rawValue) ?? .booking_confirmed,
                  status: .init(rawValue: record.status.rawValue) ?? .pending, nextAttemptAt: record.nextAttemptAt, createdAt: record.createdAt,
                  attempts: record.attempts.map {
                      .init(number: $0.number, at: $0.at, outcome: .init(rawValue: $0.outcome) ?? .retry, httpStatus: $0.httpStatus,
                            replyCode: $0.replyCode, detail: $0.detail, milliseconds: $0.milliseconds)
                  })
    }
}
