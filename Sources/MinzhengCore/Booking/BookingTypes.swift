import Foundation

/// What a couple (or one person) books an appointment for.
public enum MarriageService: String, Sendable, CaseIterable, Codable {
    case marriage
    case divorceApplication = "divorce_application"
    case divorceCertificate = "divorce_certificate"
    case reissue

    public var applicantCount: Int { self == .reissue ? 1 : 2 }
}

public enum BookingStatus: String, Sendable, Codable {
    case confirmed
    case cancelled
    case cancelledByOffice = "cancelled_by_office"
    case checkedIn = "checked_in"
    case noShow = "no_show"

    /// Only a confirmed booking holds a place and counts as the person's one active booking.
    public var isActive: Bool { self == .confirmed }
}

/// One person on a booking request, as sent: checked by `BookingRules`.
public struct ApplicantInput: Sendable, Equatable {
    public let name: String
    public let idNumber: String
    public let phone: String

    public init(name: String, idNumber: String, phone: String) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
    }
}

/// A checked applicant.
public struct Applicant: Sendable, Equatable {
    public let name: String
    public let idNumber: IDNumber
    public let phone: String

    public init(name: String, idNumber: IDNumber, phone: String) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
    }
}

/// An applicant as shown back: masked.
public struct MaskedApplicant: Sendable, Equatable, Codable {
    public let name: String
    public let idNumber: String
    public let phone: String

    public init(_ applicant: Applicant) {
        name = Masking.name(applicant.name)
        idNumber = applicant.idNumber.masked
        phone = Masking.phone(applicant.phone)
    }

    public init(name: String, idNumber: String, phone: String) {
        self.name = name
        self.idNumber = idNumber
        self.phone = phone
    }
}

/// One bookable place in time: a period of a day at an office, for one service.
public struct SlotKey: Sendable, Hashable, Codable {
    public let officeID: Int64
    public let date: LocalDate
    public let period: String
    public let service: MarriageService

    public init(officeID: Int64, date: LocalDate, period: String, service: MarriageService) {
        self.officeID = officeID
        self.date = date
        self.period = period
        self.service = service
    }
}

public struct Booking: Sendable, Equatable, Codable {
    public let id: String
    /// Short code read out at check-in.
    public let code: String
    public let owner: BookingOwner
    public var slot: SlotKey
    public var status: BookingStatus
    public let applicants: [MaskedApplicant]
    /// For a `divorce_certificate` booking: the accepted `divorce_application` it follows.
    public let divorceApplicationID: String?
    public let createdAt: Date
    public var updatedAt: Date

    public init(id: String, code: String, owner: BookingOwner, slot: SlotKey, status: BookingStatus, applicants: [MaskedApplicant],
                divorceApplicationID: String?, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.code = code
        self.owner = owner
        self.slot = slot
        self.status = status
        self.applicants = applicants
        self.divorceApplicationID = divorceApplicationID
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// Capacity and bookings of one period, as availability and the utilisation view show them.
public struct SlotUsage: Sendable, Equatable {
    public let period: String
    public let service: MarriageService
    public let capacity: Int
    public let booked: Int

    public init(period: String, service: MarriageService, capacity: Int, booked: Int) {
        self.period = period
        self.service = service
        self.capacity = capacity
        self.booked = booked
    }

    public var remaining: Int { max(0, capacity - booked) }
}
