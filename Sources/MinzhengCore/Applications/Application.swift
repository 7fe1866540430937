import Foundation

/// Where an application (办件) stands. It only moves forward: submitted, accepted, in review, decided (approved or
/// rejected), the result dispatched by courier, completed.
public enum ApplicationStatus: String, Sendable, CaseIterable, Codable {
    case submitted
    case accepted
    case inReview = "in_review"
    case approved
    case rejected
    case dispatched
    case completed

    public var label: String {
        switch self {
        case .submitted: "已提交"
        case .accepted: "已受理"
        case .inReview: "审查中"
        case .approved: "审批通过"
        case .rejected: "不予批准"
        case .dispatched: "结果已寄出"
        case .completed: "已办结"
        }
    }

    /// The statuses it may move to. An application not accepted (不予受理) is rejected from `submitted`; a decision
    /// is mailed (`dispatched`) or handed over at the window (`completed`).
    public var next: Set<ApplicationStatus> {
        switch self {
        case .submitted: [.accepted, .rejected]
        case .accepted: [.inReview]
        case .inReview: [.approved, .rejected]
        case .approved, .rejected: [.dispatched, .completed]
        case .dispatched: [.completed]
        case .completed: []
        }
    }

    /// Decided, or further: no longer counted against the promised date.
    public var isDecided: Bool { ![.submitted, .accepted, .inReview].contains(self) }

    public static let undecided: [ApplicationStatus] = allCases.filter { !$0.isDecided }
}

/// One step of an application's timeline.
public struct ApplicationStep: Sendable, Equatable, Codable {
    public let status: ApplicationStatus
    public let at: Date
    /// Why it was rejected.
    public let reason: String?
    /// The courier's tracking number of the dispatched result.
    public let trackingNumber: String?

    enum CodingKeys: String, CodingKey {
        case status, at, reason
        case trackingNumber = "tracking_number"
    }

    public init(status: ApplicationStatus, at: Date, reason: String? = nil, trackingNumber: String? = nil) {
        self.status = status
        self.at = at
        self.reason = reason
        self.trackingNumber = trackingNumber
    }
}

/// An application as answered: the applicant masked.
public struct ApplicationRecord: Sendable, Equatable {
    public let number: String
    public let itemCode: String
    public let itemName: String
    /// The level that handles it; its staff move it along.
    public let division: DivisionCode
    /// The app and citizen who applied.
    public let owner: BookingOwner
    public let applicant: MaskedApplicant
    public var status: ApplicationStatus
    public let submittedAt: Date
    /// The date by which it is promised: the item's promised time limit in working days, counted from the first
    /// working day after the day of submission.
    public let promisedDate: LocalDate
    public var steps: [ApplicationStep]

    public init(number: String, itemCode: String, itemName: String, division: DivisionCode, owner: BookingOwner, applicant: MaskedApplicant,
                status: ApplicationStatus, submittedAt: Date, promisedDate: LocalDate, steps: [ApplicationStep]) {
        self.number = number
        self.itemCode = itemCode
        self.itemName = itemName
        self.division = division
        self.owner = owner
        self.applicant = applicant
        self.status = status
        self.submittedAt = submittedAt
        self.promisedDate = promisedDate
        self.steps = steps
    }

    /// When it last changed: its latest step.
    public var updatedAt: Date { steps.last?.at ?? submittedAt }

    /// Past the promised date and not decided.
    public func isOverdue(today: LocalDate) -> Bool { !status.isDecided && promisedDate < today }
}

/// Application numbers: `SQ`, the day of submission, ten characters of Crockford base32 (no I, L, O, U): about
/// 50 random bits, so numbers cannot be walked.
public enum ApplicationNumber {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func make(on day: LocalDate) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = day.description.replacingOccurrences(of: "-", with: "")
        return "SQ" + digits + String((0..<10).map { _ in alphabet[Int(generator.next() % 32)] })
    }

    /// Whether `text` has the form of a number (the look-up answers 404 otherwise, as for any other miss).
    public static func isWellFormed(_ text: String) -> Bool {
        // Bytes, not Characters: "0" followed by a combining mark is one Character that compares like "0".
        let bytes = Array(text.utf8)
        return bytes.count == 20 && bytes[0] == UInt8(ascii: "S") && bytes[1] == UInt8(ascii: "Q")
            && bytes[2..<10].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } && bytes[10...].allSatisfy(alphabetBytes.contains)
    }

    static let alphabetBytes = Set(alphabet.compactMap(\.asciiValue))
}
