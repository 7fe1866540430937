import Foundation

/// The rules a booking must pass before it may take a place. Pure functions; `BookingService` applies them.
public struct BookingRules: Sendable {
    /// Minimum ages for marriage at the appointment date (Civil Code art. 1047).
    public var minimumMarriageAge: [IDNumber.Sex: Int] = [.male: 22, .female: 20]
    /// No-show policy: `noShowCount` no-shows within `noShowWindowDays` bar new bookings for `barDays`.
    public var noShowCount = 2
    public var noShowWindowDays = 30
    public var barDays = 15
    /// The divorce certificate is collected in days 31-60 after the application was accepted (Civil Code art. 1077).
    public var coolingOffDays = 30
    public var collectionDays = 30

    public init() {}

    // MARK: Applicants

    /// Checks ID numbers, names, phones, the number and sexes of applicants and, for marriage, their ages.
    public func checkApplicants(_ inputs: [ApplicantInput], service: MarriageService, date: LocalDate, today: LocalDate) throws(DomainError) -> [Applicant] {
        guard inputs.count == service.applicantCount else {
            throw Self.applicantsInvalid("\(service.rawValue) needs \(service.applicantCount) applicant(s), got \(inputs.count)")
        }
        var applicants: [Applicant] = []
        for (index, input) in inputs.enumerated() {
            applicants.append(try Self.checkApplicant(input, field: "applicants[\(index)]", today: today))
        }
        if applicants.count == 2 {
            guard applicants[0].idNumber != applicants[1].idNumber else { throw Self.applicantsInvalid("the two applicants are the same person") }
            guard applicants[0].idNumber.sex != applicants[1].idNumber.sex else {
                throw Self.applicantsInvalid("a marriage is registered between one man and one woman")
            }
        }
        if service == .marriage {
            for applicant in applicants { try checkMarriageAge(applicant.idNumber, on: date) }
        }
        return applicants
    }

    /// One person's ID number, name and mobile number, as every service that takes an applicant checks them;
    /// `field` names the input in the error.
    public static func checkApplicant(_ input: ApplicantInput, field: String, today: LocalDate) throws(DomainError) -> Applicant {
        let id: IDNumber
        do { id = try IDNumber(input.idNumber, today: today) } catch {
            throw .init(.unprocessable, code: "invalid_id_number", title: "身份证号码有误", detail: "\(field).id_number: \(describe(error))")
        }
        let name = input.name.trimmingCharacters(in: .whitespaces)
        guard (1...30).contains(name.count), !name.contains(where: { $0.isNewline }) else {
            throw applicantsInvalid("\(field).name must be 1 to 30 characters")
        }
        guard isMobileNumber(input.phone) else { throw applicantsInvalid("\(field).phone must be an 11-digit mainland mobile number") }
        return Applicant(name: name, idNumber: id, phone: input.phone)
    }

    /// The person is of marriageable age on the appointment day.
    public func checkMarriageAge(_ id: IDNumber, on date: LocalDate) throws(DomainError) {
        let minimum = minimumMarriageAge[id.sex] ?? 0
        guard id.age(on: date) >= minimum else {
            throw .init(.unprocessable, code: "underage", title: "未达到法定婚龄",
                        detail: "the \(id.sex.rawValue) applicant is under \(minimum) on \(date)")
        }
    }

    static func applicantsInvalid(_ detail: String) -> DomainError {
        .init(.unprocessable, code: "applicants_invalid", title: "申请人信息不符合要求", detail: detail)
    }

    static func describe(_ problem: IDNumber.Problem) -> String {
        switch problem {
        case .length: "must be 18 characters"
        case .character: "must be 17 digits and a digit or X"
        case .birthDate: "the birth date is impossible or in the future"
        case .checksum: "the check character does not match"
        }
    }

    static func isMobileNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 11 && bytes[0] == UInt8(ascii: "1") && bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    // MARK: Divorce cooling-off

    /// The days a `divorce_certificate` may be booked, for an application accepted on `accepted`: from day 31
    /// to day 60 counted from the day after acceptance; a last day that is not a working day moves to the next one.
    public func certificateWindow(acceptedOn accepted: LocalDate, calendar: WorkCalendar) -> ClosedRange<LocalDate> {
        let first = accepted.adding(days: coolingOffDays + 1)
        let last = calendar.workingDay(onOrAfter: accepted.adding(days: coolingOffDays + collectionDays))
        return first...last
    }

    // MARK: No-shows

    /// How far back no-shows can still bar a booking made `today`.
    public func noShowsSince(_ today: LocalDate) -> LocalDate { today.adding(days: -(noShowWindowDays + barDays + 1)) }

    /// The first day a person with these no-show dates may book again, or nil when not barred.
    public func barredUntil(noShows: [LocalDate]) -> LocalDate? {
        let sorted = noShows.sorted()
        var until: LocalDate? = nil
        for (index, day) in sorted.enumerated() {
            let recent = sorted[...index].filter { $0 > day.adding(days: -noShowWindowDays) }
            if recent.count >= noShowCount {
                let end = day.adding(days: barDays + 1)
                until = until.map { max($0, end) } ?? end
            }
        }
        return until
    }
}
