import MinzhengAPI
import MinzhengCore

/// Citizens' booking flow: availability, book, list, cancel, reschedule.
extension APIHandler {
    func getAvailability(_ input: Operations.GetAvailability.Input) async throws -> Operations.GetAvailability.Output {
        let days = try await bookings.availability(
            officeID: input.path.officeId, service: input.query.service?.rawValue ?? MarriageService.marriage.rawValue,
            from: input.query.from, to: input.query.to)
        return .ok(.init(body: .json(.init(officeId: input.path.officeId, days: days.map(Components.Schemas.AvailabilityDay.init)))))
    }

    func createBooking(_ input: Operations.CreateBooking.Input) async throws -> Operations.CreateBooking.Output {
        let session = try caller.requireCitizen()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let request = BookingRequest(body)
        let (bookings, admission, key, foreground) = (bookings, bookingAdmission, input.headers.idempotencyKey, foreground)
        // Bookings run at a lower priority than reads: measured, a rush of them then no longer keeps a citizen
        // looking at availability waiting for a thread (availability p99 12 -> 8 ms, docs/benchmarks.md). The
        // task is awaited at once; a client that hangs up does not cancel a booking half-way (its retry with the
        // same Idempotency-Key gets the booking).
        let outcome = try await Task(priority: .utility) {
            try await foreground.track {
                try await admission.run { try await bookings.book(request, for: session, idempotencyKey: key) }
            }
        }.value
        switch outcome {
        case .created(let booking), .replayed(let booking):
            return .created(.init(body: .json(try await schema(booking))))
        }
    }

    func listMyBookings(_ input: Operations.ListMyBookings.Input) async throws -> Operations.ListMyBookings.Output {
        let session = try caller.requireCitizen()
        let page = try await bookings.bookings(of: session, page: try PageRequest.parse(limit: input.query.limit, cursor: input.query.cursor))
        return .ok(.init(body: .json(.init(items: try await schemas(page.items), nextCursor: page.next?.token))))
    }

    func getBooking(_ input: Operations.GetBooking.Input) async throws -> Operations.GetBooking.Output {
        let session = try caller.requireCitizen()
        return .ok(.init(body: .json(try await schema(try await bookings.booking(input.path.bookingId, of: session)))))
    }

    func cancelBooking(_ input: Operations.CancelBooking.Input) async throws -> Operations.CancelBooking.Output {
        let session = try caller.requireCitizen()
        return .ok(.init(body: .json(try await schema(try await bookings.cancel(input.path.bookingId, of: session)))))
    }

    func rescheduleBooking(_ input: Operations.RescheduleBooking.Input) async throws -> Operations.RescheduleBooking.Output {
        let session = try caller.requireCitizen()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let moved = try await bookings.reschedule(input.path.bookingId, of: session, date: body.date, period: body.period)
        return .ok(.init(body: .json(try await schema(moved))))
    }

    func schemas(_ list: [Booking]) async throws -> [Components.Schemas.Booking] {
        var items: [Components.Schemas.Booking] = []
        for booking in list { items.append(try await schema(booking)) }
        return items
    }

    /// The API form of a booking, with the office's name and the period's times.
    func schema(_ booking: Booking) async throws -> Components.Schemas.Booking {
        // The booking is made whatever happens here: without the schedule, the answer just lacks the times.
        let period = try? await bookings.schedule(of: booking.slot.officeID).period(named: booking.slot.period)
        return Components.Schemas.Booking(
            id: booking.id, code: booking.code, status: .init(rawValue: booking.status.rawValue) ?? .confirmed,
            officeId: booking.slot.officeID, officeName: lookups.registry(booking.slot.officeID)?.name,
            date: booking.slot.date.description, period: booking.slot.period, start: period?.start, end: period?.end,
            service: .init(rawValue: booking.slot.service.rawValue) ?? .marriage,
            applicants: booking.applicants.map(Components.Schemas.MaskedApplicant.init),
            divorceApplicationId: booking.divorceApplicationID, createdAt: booking.createdAt, updatedAt: booking.updatedAt)
    }
}

extension Components.Schemas.AvailabilityDay {
    init(_ day: DayAvailability) {
        self.init(
            date: day.date.description, open: day.open, officeWorks: day.officeWorks, releaseAt: day.releaseAt,
            periods: day.periods.map {
                .init(period: $0.period.name, start: $0.period.start, end: $0.period.end, capacity: $0.capacity, booked: $0.booked,
                      remaining: $0.remaining)
            })
    }
}

extension BookingRequest {
    /// A booking's (or a waitlist entry's) request as the API sends it.
    init(_ body: Components.Schemas.BookingRequest) {
        self.init(officeID: body.officeId, date: body.date, period: body.period, service: body.service.rawValue,
                  applicants: body.applicants.map(ApplicantInput.init), divorceApplicationID: body.divorceApplicationId)
    }
}

extension ApplicantInput {
    init(_ body: Components.Schemas.ApplicantInput) {
        self.init(name: body.name, idNumber: body.idNumber, phone: body.phone)
    }
}

extension Components.Schemas.MaskedApplicant {
    init(_ applicant: MinzhengCore.MaskedApplicant) {
        self.init(name: applicant.name, idNumber: applicant.idNumber, phone: applicant.phone)
    }
}
