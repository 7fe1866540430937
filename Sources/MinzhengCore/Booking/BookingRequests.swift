import Foundation

/// A marriage registry as the booking flow needs it.
public struct RegistryOffice: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let division: DivisionCode

    public init(id: Int64, name: String, division: DivisionCode) {
        self.id = id
        self.name = name
        self.division = division
    }
}

/// Finds registry offices (the directory's marriage registries).
public protocol OfficeDirectory: Sendable {
    func registry(_ id: Int64) -> RegistryOffice?
}

/// One day of an office's calendar as citizens and staff see it.
public struct DayAvailability: Sendable, Equatable {
    public struct PeriodAvailability: Sendable, Equatable {
        public let period: OfficeSchedule.Period
        public let capacity: Int
        public let booked: Int
        public var remaining: Int { max(0, capacity - booked) }

    }

    public let date: LocalDate
    /// Bookable now: inside the booking window and the office works that day.
    public let open: Bool
    /// The office works that day (whether or not it can still be booked).
    public let officeWorks: Bool
    public let periods: [PeriodAvailability]
    /// Not released yet: the moment its places are (放号).
    public var releaseAt: Date? = nil
}

/// What a citizen asks to book.
public struct BookingRequest: Sendable, Equatable {
    public let officeID: Int64
    public let date: String
    public let period: String
    public let service: String
    public let applicants: [ApplicantInput]
    public let divorceApplicationID: String?

    public init(officeID: Int64, date: String, period: String, service: String, applicants: [ApplicantInput], divorceApplicationID: String?) {
        self.officeID = officeID
        self.date = date
        self.period = period
        self.service = service
        self.applicants = applicants
        self.divorceApplicationID = divorceApplicationID
    }
}
