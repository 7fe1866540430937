import Foundation
import MinzhengCore

/// The Chinese text an office group reads for an event: what happened, where, when, with personal data
/// masked (the event's data is masked when written; phone numbers are left out of group messages).
public enum EventText {
    public static func text(_ type: EventType, data: String, officeName: String?) -> String {
        let json = Data(data.utf8)
        let office = officeName ?? "婚姻登记处"
        if type.isAboutABooking, let booking = try? JSONDecoder().decode(BookingEventData.self, from: json) {
            let people = booking.applicants.map(\.name).joined(separator: "、")
            let when = "\(booking.date) \(booking.period)"
            let what = serviceName(booking.service)
            let lines: [String]
            switch type {
            case .bookingConfirmed: lines = ["【婚姻登记预约】预约成功", "登记处：\(office)", "时间：\(when)", "业务：\(what)", "预约人：\(people)", "预约号：\(booking.code)"]
            case .bookingCancelled: lines = ["【婚姻登记预约】预约已取消", "登记处：\(office)", "原定时间：\(when)", "业务：\(what)", "预约人：\(people)"]
            case .bookingRescheduled:
                let from = [booking.previousDate, booking.previousPeriod].compactMap { $0 }.joined(separator: " ")
                lines = ["【婚姻登记预约】预约已改期", "登记处：\(office)", "原定时间：\(from)", "新时间：\(when)", "业务：\(what)", "预约人：\(people)"]
            case .bookingCancelledByOffice: lines = ["【婚姻登记预约】因登记处停办，预约已取消", "登记处：\(office)", "原定时间：\(when)", "预约人：\(people)"]
            case .bookingReminder: lines = ["【婚姻登记预约】明日办理提醒", "登记处：\(office)", "时间：\(when)", "业务：\(what)", "预约人：\(people)",
                                            "请双方携带本人身份证、户口簿原件按时到场。"]
            case .bookingNoShow: lines = ["【婚姻登记预约】未按预约到场", "登记处：\(office)", "时间：\(when)", "预约人：\(people)"]
            default: lines = ["【婚姻登记预约】\(type.rawValue)", "登记处：\(office)", "时间：\(when)"]
            }
            return lines.joined(separator: "\n")
        }
        if type == .applicationUpdated || type == .applicationOverdue, let application = try? JSONDecoder().decode(ApplicationEventData.self, from: json) {
            var lines = [type == .applicationOverdue ? "【办件超期】\(application.itemName) 已超过承诺办结时间" : "【办件进度】\(application.itemName)：\(application.statusLabel)",
                         "办件编号：\(application.number)", "申请人：\(application.applicantName)", "承诺办结：\(application.promisedDate)"]
            if let reason = application.reason { lines.append("原因：\(reason)") }
            if let tracking = application.trackingNumber { lines.append("快递单号：\(tracking)") }
            return lines.joined(separator: "\n")
        }
        if let event = try? JSONDecoder().decode(OfficeEventData.self, from: json) {
            switch type {
            case .officeClosed:
                return ["【婚姻登记处停办】\(office) \(event.date) 停止办理", "原因：\(event.reason ?? "")",
                        "已取消预约：\(event.cancelledBookings ?? 0) 个"].joined(separator: "\n")
            case .capacityNearlyFull:
                return ["【号源预警】\(office) \(event.date) 号源即将约满", "业务：\(event.service.map(serviceName) ?? "")",
                        "已约：\(event.booked ?? 0) / \(event.capacity ?? 0)"].joined(separator: "\n")
            default: break
            }
        }
        return "【民政服务】\(type.rawValue)"
    }

    static func serviceName(_ service: MarriageService) -> String {
        switch service {
        case .marriage: "结婚登记"
        case .divorceApplication: "离婚登记申请"
        case .divorceCertificate: "离婚登记（领证）"
        case .reissue: "补领婚姻登记证"
        }
    }
}

/// Builds each channel's request as DOMAIN.md describes it: body shape, byte limit, signature.
public enum ChannelMessage {
    /// Text limits, leaving room for the JSON around the text: WeCom text 2,048 bytes; DingTalk's body
    /// 20,000 bytes; Feishu's 20 KB.
    static let wecomTextBytes = 2048
    static let dingTalkTextBytes = 18_000
    static let feishuTextBytes = 18_000

    /// `webhookSigner`: the secret made ready to sign with, when the caller keeps one per subscription; else the
    /// app webhook's secret is set up for this message alone.
    public static func request(channel: WebhookChannel, url: String, secret: String?, webhookSigner: StandardWebhookSigner? = nil,
                               deliveryID: String, type: EventType, data: String, occurredAt: Date, officeName: String?,
                               now: Date) -> OutgoingRequest {
        let json = ["Content-Type: application/json; charset=utf-8"]
        switch channel {
        case .wecom:
            let text = ByteLimit.cut(EventText.text(type, data: data, officeName: officeName), toBytes: wecomTextBytes)
            return OutgoingRequest(url: url, headers: json, body: encode(["msgtype": "text", "text": ["content": text]]))
        case .dingtalk:
            let text = ByteLimit.cut(EventText.text(type, data: data, officeName: officeName), toBytes: dingTalkTextBytes)
            var target = url
            if let secret {
                let milliseconds = Int64(now.timeIntervalSince1970 * 1000)
                target += (url.contains("?") ? "&" : "?") + "timestamp=\(milliseconds)&sign=\(WebhookSignatures.dingTalk(secret: secret, timestampMilliseconds: milliseconds))"
            }
            return OutgoingRequest(url: target, headers: json, body: encode(["msgtype": "text", "text": ["content": text]]))
        case .feishu:
            let text = ByteLimit.cut(EventText.text(type, data: data, officeName: officeName), toBytes: feishuTextBytes)
            var body: [String: Any] = ["msg_type": "text", "content": ["text": text]]
            if let secret {
                let seconds = Int64(now.timeIntervalSince1970)
                body["timestamp"] = String(seconds)
                body["sign"] = WebhookSignatures.feishu(secret: secret, timestampSeconds: seconds)
            }
            return OutgoingRequest(url: url, headers: json, body: encode(body))
        case .webhook:
            // Standard Webhooks: {"type", "timestamp", "data"}, signed over "id.timestamp.body".
            let seconds = Int64(now.timeIntervalSince1970)
            var body = Data(#"{"type":"\#(type.rawValue)","timestamp":"\#(iso8601(occurredAt))","data":"#.utf8)
            body.append(Data(data.utf8))
            body.append(UInt8(ascii: "}"))
            var headers = json + ["webhook-id: \(deliveryID)", "webhook-timestamp: \(seconds)"]
            if let signer = webhookSigner ?? secret.map(StandardWebhookSigner.init(webhookSecret:)) {
                headers.append("webhook-signature: \(signer.signature(id: deliveryID, timestampSeconds: seconds, body: body))")
            }
            return OutgoingRequest(url: url, headers: headers, body: body)
        }
    }

    private static func encode(_ object: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
    }

    /// `2026-12-10T01:02:03Z`, written by hand: Foundation's formatter costs more than the rest of a message.
    static func iso8601(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = LocalDate(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
        let inDay = seconds - day.dayNumber * 86_400
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60))Z"
    }
}
