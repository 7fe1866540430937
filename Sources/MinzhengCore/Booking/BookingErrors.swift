import Foundation

/// The rejections of the booking flow, each with its machine code and a sentence a citizen can read.
public enum BookingErrors {
    public static let slotFull = DomainError(.conflict, code: "slot_full", title: "该时段已约满，请选择其他时段",
                                             detail: "no place is left in this period")
    public static let activeBookingExists = DomainError(.conflict, code: "active_booking_exists", title: "您已有一个有效预约",
                                                        detail: "an applicant already has an active booking; cancel it or wait until it is done")
    public static let officeClosed = DomainError(.conflict, code: "office_closed", title: "该日登记处不办公",
                                                 detail: "the office does not work on this day")
    public static let notConfirmed = DomainError(.conflict, code: "booking_not_active", title: "该预约已不是有效状态",
                                                 detail: "only a confirmed booking can be changed")
    public static let idempotencyKeyReused = DomainError(.unprocessable, code: "idempotency_key_reused", title: "重复的请求标识",
                                                         detail: "this Idempotency-Key was used with another request")
    public static let capacityBelowBooked = DomainError(.conflict, code: "capacity_below_booked", title: "容量不能低于已预约人数",
                                                        detail: "more places are already booked than the new capacity")
    public static let codeTaken = DomainError(.conflict, code: "code_taken", title: "系统繁忙，请重试", detail: "check-in code collision")

    public static func periodInUse(_ periods: [String]) -> DomainError {
        .init(.conflict, code: "period_in_use", title: "该时段仍有有效预约，不能删除",
              detail: "confirmed bookings still use \(periods.joined(separator: ", ")); move or cancel them first")
    }

    /// The day's places are not released yet (放号): the moment they are, in Beijing time.
    public static func notYetReleased(_ at: Date) -> DomainError {
        .init(.conflict, code: "not_yet_released", title: "该日期号源尚未开放，请于 \(beijing(at)) 后预约",
              detail: "places for this day are released at \(beijing(at))")
    }

    public static let drawRequired = DomainError(
        .conflict, code: "draw_required", title: "该日期为热门日期，请先登记参加公平摇号",
        detail: "this is a high-demand day: places go by a draw at release; register for it, or try again once the draw has run")

    public static let waitlistNotNeeded = DomainError(
        .conflict, code: "places_available", title: "该时段仍有号源，请直接预约", detail: "the period still has places: book it instead of waiting")

    public static let alreadyWaiting = DomainError(
        .conflict, code: "already_waiting", title: "您已在候补队列中", detail: "an applicant is already on a waitlist")

    public static let alreadyRegistered = DomainError(
        .conflict, code: "already_registered", title: "您已登记参加该日摇号", detail: "this couple is already registered for a draw on this day")

    public static let registrationClosed = DomainError(
        .conflict, code: "draw_registration_closed", title: "该日期不在摇号登记时间内",
        detail: "registration for a draw opens seven days before the release and closes at the release")

    /// `2026-05-20T08:00+08:00`.
    static func beijing(_ at: Date) -> String {
        let day = LocalDate.today(at: at)
        let minute = Int((at.timeIntervalSince(day.instant(hour: 0)) / 60).rounded(.down))
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(minute / 60)):\(two(minute % 60))+08:00"
    }

    public static func bookingNotFound(_ id: String) -> DomainError { .notFound("no booking \(id)") }

    public static func officeNotFound(_ id: Int64) -> DomainError { .notFound("no marriage registry \(id)") }

    public static func barred(until day: LocalDate) -> DomainError {
        .init(.forbidden, code: "booking_barred", title: "因多次预约未到，暂停预约", detail: "bookings are barred until \(day) after repeated no-shows")
    }

    public static func coolingOff(_ window: ClosedRange<LocalDate>) -> DomainError {
        .init(.unprocessable, code: "cooling_off_window", title: "不在离婚冷静期后的领证期内",
              detail: "a divorce certificate can be booked from \(window.lowerBound) to \(window.upperBound)")
    }

    public static let noAcceptedApplication = DomainError(
        .unprocessable, code: "divorce_application_not_found", title: "未找到已受理的离婚登记申请",
        detail: "divorce_application_id must name an accepted divorce application of the same two applicants, not yet used for a certificate")

    public static let tooLateToChange = DomainError(
        .conflict, code: "too_late_to_change", title: "预约当天及之后不能取消或改约",
        detail: "a booking can be cancelled or moved until the day before its date")

    public static let notToday = DomainError(.conflict, code: "not_today", title: "只能在预约当天签到", detail: "check-in happens on the booking's day")
}
