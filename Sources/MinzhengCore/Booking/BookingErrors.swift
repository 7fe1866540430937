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
