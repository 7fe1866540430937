import Foundation

/// Booking ids are UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. New bookings'
/// rows then land at the end of the primary-key B-trees instead of on a random page each, so a group commit
/// writes a few pages rather than one per booking; the random part keeps ids unguessable.
public enum BookingID {
    public static func make(at date: Date) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        for index in 6..<16 { bytes[index] = generator.next() }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562 variant
        let hex = bytes.hexString
        let cuts = [0, 8, 12, 16, 20, 32].map { hex.index(hex.startIndex, offsetBy: $0) }
        return (0..<5).map { String(hex[cuts[$0]..<cuts[$0 + 1]]) }.joined(separator: "-")
    }
}

/// Delivery ids (the `webhook-id` receivers use to drop duplicates): `msg_` and a version 7 UUID, time-ordered
/// for the same reason as booking ids.
public enum DeliveryID {
    public static func make(at date: Date) -> String {
        "msg_" + BookingID.make(at: date).replacingOccurrences(of: "-", with: "")
    }
}
