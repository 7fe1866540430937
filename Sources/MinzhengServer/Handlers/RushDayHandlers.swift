import Foundation
import MinzhengAPI
import MinzhengCore

/// Waitlists, fair draws and the staff's live view of a rush day.
extension APIHandler {
    func listWaitlist(_ input: Operations.ListWaitlist.Input) async throws -> Operations.ListWaitlist.Output {
        let session = try caller.requireCitizen()
        return .ok(.init(body: .json(.init(items: try await bookings.waitlist(of: session).map { .init($0) }))))
    }

    func joinWaitlist(_ input: Operations.JoinWaitlist.Input) async throws -> Operations.JoinWaitlist.Output {
        let session = try caller.requireCitizen()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        return .created(.init(body: .json(.init(try await bookings.joinWaitlist(BookingRequest(body), for: session)))))
    }

    func leaveWaitlist(_ input: Operations.LeaveWaitlist.Input) async throws -> Operations.LeaveWaitlist.Output {
        let session = try caller.requireCitizen()
        return .ok(.init(body: .json(.init(try await bookings.leaveWaitlist(input.path.entryId, of: session)))))
    }

    func listDrawEntries(_ input: Operations.ListDrawEntries.Input) async throws -> Operations.ListDrawEntries.Output {
        let session = try caller.requireCitizen()
        return .ok(.init(body: .json(.init(items: try await bookings.drawEntries(of: session).map { .init($0) }))))
    }

    func registerForDraw(_ input: Operations.RegisterForDraw.Input) async throws -> Operations.RegisterForDraw.Output {
        let session = try caller.requireCitizen()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let entry = try await bookings.registerForDraw(
            officeID: body.officeId, date: body.date, preferences: body.preferences,
            applicants: body.applicants.map(ApplicantInput.init), for: session)
        return .created(.init(body: .json(.init(entry))))
    }

    func getDraw(_ input: Operations.GetDraw.Input) async throws -> Operations.GetDraw.Output {
        let (seedHash, record) = try await bookings.draw(officeID: input.path.officeId, date: input.path.date)
        return .ok(.init(body: .json(.init(
            officeId: input.path.officeId, date: input.path.date, seedHash: seedHash, seed: record?.seed, drawnAt: record?.drawnAt,
            places: record.map { .init(additionalProperties: $0.places) },
            entries: (record?.entries ?? []).map { .init(id: $0.id, preferences: $0.preferences, period: $0.period, eligible: $0.eligible) }))))
    }

    func markHighDemandDate(_ input: Operations.MarkHighDemandDate.Input) async throws -> Operations.MarkHighDemandDate.Output {
        let staff = try caller.requireStaff(.manager)
        try await bookings.markHighDemand(officeID: input.path.officeId, date: input.path.date, by: staff)
        return .noContent(.init())
    }

    func getLiveView(_ input: Operations.GetLiveView.Input) async throws -> Operations.GetLiveView.Output {
        let staff = try caller.requireStaff()
        let live = try await bookings.liveView(officeID: input.path.officeId, date: input.query.date,
                                               service: input.query.service?.rawValue ?? "marriage", by: staff)
        return .ok(.init(body: .json(.init(
            date: live.days.date.description, highDemand: live.highDemand, drawnAt: live.draw?.drawnAt, waitingAnyPeriod: live.waiting[""] ?? 0,
            periods: live.days.periods.map {
                .init(period: $0.period.name, capacity: $0.capacity, booked: $0.booked, waiting: live.waiting[$0.period.name] ?? 0)
            }))))
    }
}

extension Components.Schemas.WaitlistEntry {
    init(_ entry: WaitlistEntry) {
        self.init(id: entry.id, officeId: entry.officeID, date: entry.date.description, period: entry.period,
                  service: .init(rawValue: entry.service.rawValue) ?? .marriage, status: .init(rawValue: entry.status.rawValue) ?? .waiting,
                  ahead: entry.ahead, bookingId: entry.bookingID, note: entry.note,
                  applicants: entry.applicants.map(Components.Schemas.MaskedApplicant.init), createdAt: entry.createdAt)
    }
}

extension Components.Schemas.DrawEntry {
    init(_ entry: DrawEntry) {
        self.init(id: entry.id, officeId: entry.officeID, date: entry.date.description, preferences: entry.preferences,
                  status: .init(rawValue: entry.status.rawValue) ?? .registered, rank: entry.rank, period: entry.period, bookingId: entry.bookingID,
                  note: entry.note, applicants: entry.applicants.map(Components.Schemas.MaskedApplicant.init),
                  createdAt: entry.createdAt)
    }
}
