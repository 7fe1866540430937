import MinzhengAPI
import MinzhengCore

/// Registry staff: capacity, closures and open days (managers), roster, utilisation, check-in and no-shows.
extension APIHandler {
    func setCapacity(_ input: Operations.SetCapacity.Input) async throws -> Operations.SetCapacity.Output {
        let staff = try caller.requireStaff(.manager)
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        try await bookings.setCapacity(officeID: input.path.officeId, date: body.date, from: body.from, to: body.to, period: body.period,
                                       service: body.service.rawValue, capacity: body.capacity, by: staff)
        return .noContent(.init())
    }

    func closeOfficeDay(_ input: Operations.CloseOfficeDay.Input) async throws -> Operations.CloseOfficeDay.Output {
        let staff = try caller.requireStaff(.manager)
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let cancelled = try await bookings.closeDay(officeID: input.path.officeId, date: body.date, reason: body.reason, by: staff)
        return .ok(.init(body: .json(.init(officeId: input.path.officeId, date: body.date, cancelledBookings: cancelled.count))))
    }

    func openOfficeDay(_ input: Operations.OpenOfficeDay.Input) async throws -> Operations.OpenOfficeDay.Output {
        let staff = try caller.requireStaff(.manager)
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        try await bookings.openDay(officeID: input.path.officeId, date: body.date, reason: body.reason, by: staff)
        return .noContent(.init())
    }

    func getRoster(_ input: Operations.GetRoster.Input) async throws -> Operations.GetRoster.Output {
        let staff = try caller.requireStaff()
        let roster = try await bookings.roster(officeID: input.path.officeId, date: input.query.date, by: staff)
        return .ok(.init(body: .json(.init(officeId: input.path.officeId, date: input.query.date, items: try await schemas(roster)))))
    }

    func getUtilisation(_ input: Operations.GetUtilisation.Input) async throws -> Operations.GetUtilisation.Output {
        let staff = try caller.requireStaff()
        let days = try await bookings.utilisation(
            officeID: input.path.officeId, service: input.query.service?.rawValue ?? MarriageService.marriage.rawValue,
            from: input.query.from, to: input.query.to, by: staff)
        return .ok(.init(body: .json(.init(officeId: input.path.officeId, days: days.map(Components.Schemas.AvailabilityDay.init)))))
    }

    func checkInBooking(_ input: Operations.CheckInBooking.Input) async throws -> Operations.CheckInBooking.Output {
        let staff = try caller.requireStaff()
        return .ok(.init(body: .json(try await schema(try await bookings.finish(code: input.path.code, as: .checkedIn, by: staff)))))
    }

    func markNoShow(_ input: Operations.MarkNoShow.Input) async throws -> Operations.MarkNoShow.Output {
        let staff = try caller.requireStaff()
        return .ok(.init(body: .json(try await schema(try await bookings.finish(code: input.path.code, as: .noShow, by: staff)))))
    }
}

/// Offices' schedules: periods, default capacities, booking window.
extension APIHandler {
    func getOfficeSchedule(_ input: Operations.GetOfficeSchedule.Input) async throws -> Operations.GetOfficeSchedule.Output {
        let staff = try caller.requireStaff()
        let schedule = try await bookings.schedule(officeID: input.path.officeId, by: staff)
        return .ok(.init(body: .json(.init(officeID: input.path.officeId, schedule))))
    }

    func setOfficeSchedule(_ input: Operations.SetOfficeSchedule.Input) async throws -> Operations.SetOfficeSchedule.Output {
        let staff = try caller.requireStaff(.manager)
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let capacity = body.defaultCapacity
        let schedule = try await bookings.setSchedule(
            officeID: input.path.officeId, periods: body.periods,
            defaultCapacity: [.marriage: capacity.marriage, .divorceApplication: capacity.divorceApplication,
                              .divorceCertificate: capacity.divorceCertificate, .reissue: capacity.reissue],
            window: BookingWindow(minDaysAhead: body.bookingWindow.minDaysAhead, maxDaysAhead: body.bookingWindow.maxDaysAhead,
                                  closingHour: body.bookingWindow.closingHour,
                                  releaseMinute: try BookingWindow.releaseMinute(body.bookingWindow.releaseTime)),
            by: staff)
        return .ok(.init(body: .json(.init(officeID: input.path.officeId, schedule))))
    }
}

extension Components.Schemas.OfficeSchedule {
    init(officeID: Int64, _ schedule: MinzhengCore.OfficeSchedule) {
        self.init(
            officeId: officeID, periods: schedule.periods.map { .init(period: $0.name, start: $0.start, end: $0.end) },
            defaultCapacity: .init(marriage: schedule.capacity(for: .marriage), divorceApplication: schedule.capacity(for: .divorceApplication),
                                   divorceCertificate: schedule.capacity(for: .divorceCertificate), reissue: schedule.capacity(for: .reissue)),
            bookingWindow: .init(minDaysAhead: schedule.window.minDaysAhead, maxDaysAhead: schedule.window.maxDaysAhead,
                                 closingHour: schedule.window.closingHour,
                                 releaseTime: schedule.window.releaseTime))
    }
}

/// The one place an unmasked ID number leaves the service: to staff of the division, audited with a reason.
extension APIHandler {
    func revealApplicants(_ input: Operations.RevealApplicants.Input) async throws -> Operations.RevealApplicants.Output {
        let staff = try caller.requireStaff()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let revealed = try await bookings.revealApplicants(code: input.path.code, reason: body.reason, by: staff)
        typealias Applicant = Operations.RevealApplicants.Output.Ok.Body.JsonPayload.ApplicantsPayloadPayload
        return .ok(.init(headers: .init(cacheControl: "no-store"),
                         body: .json(.init(code: revealed.code, applicants: revealed.applicants.map { Applicant(name: $0.name, idNumber: $0.idNumber) }))))
    }
}
