import Foundation

/// When a day may be booked: its places are released (放号) at `releaseMinute` (Beijing time) `maxDaysAhead`
/// days before, bookings stay open until `closingHour` on the day before, and never for a day sooner than
/// `minDaysAhead` days ahead.
public struct BookingWindow: Sendable, Equatable {
    public var minDaysAhead: Int
    public var maxDaysAhead: Int
    public var closingHour: Int
    /// Minutes after midnight: 480 releases at 08:00.
    public var releaseMinute: Int
    public static let defaultReleaseMinute = 8 * 60

    public init(minDaysAhead: Int = 1, maxDaysAhead: Int = 30, closingHour: Int = 15, releaseMinute: Int = defaultReleaseMinute) {
        self.minDaysAhead = minDaysAhead
        self.maxDaysAhead = maxDaysAhead
        self.closingHour = closingHour
        self.releaseMinute = releaseMinute
    }

    /// `release_time` as the API writes it, "08:00".
    public var releaseTime: String { OfficeSchedule.Period.clock(releaseMinute) }

    /// Minutes after midnight from "HH:MM" (the same parser as periods'; nil: the default); throws `invalid_parameter`.
    public static func releaseMinute(_ text: String?) throws(DomainError) -> Int {
        guard let text else { return defaultReleaseMinute }
        guard let minute = OfficeSchedule.Period.minute(text) else {
            throw .invalidParameter("booking_window.release_time", "must be HH:MM, 00:00 to 23:59")
        }
        return minute
    }

    /// The moment `date`'s places are released.
    public func releaseAt(_ date: LocalDate) -> Date {
        date.adding(days: -maxDaysAhead).instant(hour: 0, minute: releaseMinute)
    }

    /// Whether a booking for `date` may be made at `now`.
    public func contains(_ date: LocalDate, now: Date) -> Bool {
        let today = LocalDate.today(at: now)
        guard date >= today.adding(days: minDaysAhead), now >= releaseAt(date) else { return false }
        return now < date.adding(days: -1).instant(hour: closingHour)
    }

    public func check(_ date: LocalDate, now: Date) throws(DomainError) {
        if date > LocalDate.today(at: now), now < releaseAt(date) { throw BookingErrors.notYetReleased(releaseAt(date)) }
        guard contains(date, now: now) else {
            throw .init(.unprocessable, code: "outside_booking_window", title: "该日期不在可预约时间范围内",
                        detail: "bookings open \(minDaysAhead) to \(maxDaysAhead) days ahead and close at \(closingHour):00 the day before")
        }
    }
}

/// One office's periods, the capacity a period gets until staff set one, and its booking window. Every office
/// has the standard schedule until a manager changes it.
public struct OfficeSchedule: Sendable, Equatable {
    public struct Period: Sendable, Equatable {
        public let name: String  // "09:00", the start
        public let start: String
        public let end: String
        let startMinute: Int
        let endMinute: Int

        public init(startMinute: Int, endMinute: Int) {
            self.startMinute = startMinute
            self.endMinute = endMinute
            start = Self.clock(startMinute)
            end = Self.clock(endMinute)
            name = start
        }

        /// "09:00-10:00"; nil unless both times are valid and the period ends after it starts.
        public init?(_ text: some StringProtocol) {
            let parts = text.split(separator: "-")
            guard parts.count == 2, let start = Self.minute(parts[0]), let end = Self.minute(parts[1]), start < end else { return nil }
            self.init(startMinute: start, endMinute: end)
        }

        public var description: String { "\(start)-\(end)" }

        static func clock(_ minute: Int) -> String {
            let hours = minute / 60, minutes = minute % 60
            return (hours < 10 ? "0" : "") + String(hours) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
        }

        static func minute(_ text: some StringProtocol) -> Int? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy({ $0.isASCII && $0.isNumber }) }),
                let hours = Int(parts[0]), let minutes = Int(parts[1]), hours < 24, minutes < 60
            else { return nil }
            return hours * 60 + minutes
        }
    }

    public let periods: [Period]
    public let defaultCapacity: [MarriageService: Int]
    public let window: BookingWindow

    public init(periods: [Period], defaultCapacity: [MarriageService: Int], window: BookingWindow = BookingWindow()) {
        self.periods = periods
        self.defaultCapacity = defaultCapacity
        self.window = window
    }

    public static let standard = OfficeSchedule(
        periods: [9, 10, 11, 14, 15, 16].map { Period(startMinute: $0 * 60, endMinute: $0 * 60 + 60) },
        defaultCapacity: [.marriage: 10, .divorceApplication: 4, .divorceCertificate: 4, .reissue: 2])

    public func period(named name: String) -> Period? { periods.first { $0.name == name } }
    public func capacity(for service: MarriageService) -> Int { defaultCapacity[service] ?? 0 }

    public func checkPeriod(_ name: String) throws(DomainError) {
        guard period(named: name) != nil else {
            throw .invalidParameter("period", "must be one of \(periods.map(\.name).joined(separator: ", "))")
        }
    }

    /// A schedule a manager asked for, or the reason it cannot be one.
    public static func validated(periods texts: [String], defaultCapacity: [MarriageService: Int], window: BookingWindow) throws(DomainError)
        -> OfficeSchedule
    {
        guard (1...12).contains(texts.count) else { throw .invalidParameter("periods", "must list 1 to 12 periods") }
        var periods: [Period] = []
        for (index, text) in texts.enumerated() {
            guard let period = Period(text) else {
                throw .invalidParameter("periods[\(index)]", "must be HH:MM-HH:MM with the end after the start")
            }
            if let previous = periods.last, previous.endMinute > period.startMinute {
                throw .invalidParameter("periods[\(index)]", "must start after the previous period ends (periods in order, no overlap)")
            }
            periods.append(period)
        }
        for service in MarriageService.allCases {
            guard let capacity = defaultCapacity[service] else {
                throw .invalidParameter("default_capacity.\(service.rawValue)", "is required")
            }
            guard (0...500).contains(capacity) else { throw .invalidParameter("default_capacity.\(service.rawValue)", "must be 0 to 500") }
        }
        guard (1...7).contains(window.minDaysAhead) else { throw .invalidParameter("booking_window.min_days_ahead", "must be 1 to 7") }
        guard (window.minDaysAhead...90).contains(window.maxDaysAhead) else {
            throw .invalidParameter("booking_window.max_days_ahead", "must be from min_days_ahead to 90")
        }
        guard (0...24).contains(window.closingHour) else { throw .invalidParameter("booking_window.closing_hour", "must be 0 to 24") }
        guard (0..<1440).contains(window.releaseMinute) else { throw .invalidParameter("booking_window.release_time", "must be 00:00 to 23:59") }
        return OfficeSchedule(periods: periods, defaultCapacity: defaultCapacity, window: window)
    }
}

extension OfficeSchedule {
    /// The schedule as the audit log records it.
    var auditFields: [String: String] {
        var fields = ["periods": periods.map(\.description).joined(separator: ","), "min_days_ahead": String(window.minDaysAhead),
                      "max_days_ahead": String(window.maxDaysAhead), "closing_hour": String(window.closingHour),
                      "release_time": window.releaseTime]
        for service in MarriageService.allCases { fields["capacity.\(service.rawValue)"] = String(capacity(for: service)) }
        return fields
    }
}
