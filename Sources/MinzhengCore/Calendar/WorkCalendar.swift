/// Which days government offices work: weekdays, minus statutory holidays, plus the weekend make-up working
/// days (调休) that the State Council sets each year. Data, not a weekday rule.
public struct WorkCalendar: Sendable {
    public enum DayKind: String, Sendable { case holiday, workday }

    private let holidays: Set<LocalDate>
    private let makeUpWorkdays: Set<LocalDate>

    public init(days: [(LocalDate, DayKind)]) {
        holidays = Set(days.filter { $0.1 == .holiday }.map(\.0))
        makeUpWorkdays = Set(days.filter { $0.1 == .workday }.map(\.0))
    }

    public static let weekdaysOnly = WorkCalendar(days: [])

    public func isWorkingDay(_ date: LocalDate) -> Bool {
        if makeUpWorkdays.contains(date) { return true }
        if holidays.contains(date) { return false }
        return !date.isWeekend
    }

    /// `date` itself when it is a working day, else the first working day after it.
    public func workingDay(onOrAfter date: LocalDate) -> LocalDate {
        var day = date
        while !isWorkingDay(day) { day = day.adding(days: 1) }
        return day
    }

    /// The date `count` working days after `date` (count >= 1), as time limits in working days are counted.
    public func adding(workingDays count: Int, to date: LocalDate) -> LocalDate {
        var day = date, left = count
        while left > 0 {
            day = day.adding(days: 1)
            if isWorkingDay(day) { left -= 1 }
        }
        return day
    }
}
