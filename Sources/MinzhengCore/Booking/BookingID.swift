import Foundation
import Synchronization

/// Booking ids are UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. New bookings'
/// rows then land at the end of the primary-key B-trees instead of on a random page each, so a group commit
/// writes a few pages rather than one per booking; the random part keeps ids unguessable.
public enum BookingID {
    public static func make(at date: Date) -> String {
        var generator = SystemRandomNumberGenerator()
        let hex = uuid7Bytes(at: date, random: (generator.next(), generator.next())).hexString
        let cuts = [0, 8, 12, 16, 20, 32].map { hex.index(hex.startIndex, offsetBy: $0) }
        return (0..<5).map { String(hex[cuts[$0]..<cuts[$0 + 1]]) }.joined(separator: "-")
    }

    /// The 16 bytes of a version 7 UUID over two 64-bit random words (drawn whole: a draw per byte would be a
    /// `getrandom` call per byte).
    static func uuid7Bytes(at date: Date, random: (UInt64, UInt64)) -> [UInt8] {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        let (high, low) = random
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        for index in 6..<8 { bytes[index] = UInt8(truncatingIfNeeded: high >> (8 * index)) }
        for index in 8..<16 { bytes[index] = UInt8(truncatingIfNeeded: low >> (8 * (index - 8))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562 variant
        return bytes
    }
}

/// Delivery ids (the `webhook-id` receivers use to drop duplicates): `msg_` and a version 7 UUID, time-ordered
/// for the same reason as booking ids.
public enum DeliveryID {
    public static func make(at date: Date) -> String {
        "msg_" + BookingID.uuid7Bytes(at: date, random: words.withLock { ($0.next(), $0.next()) }).hexString
    }

    /// Delivery ids must be unique, not unguessable (the receiver is told each one): SplitMix64 seeded once
    /// from the system generator saves a system call per id on the delivery path.
    private static let words: Mutex<SplitMix64> = {
        var system = SystemRandomNumberGenerator()
        return Mutex(SplitMix64(seed: system.next()))
    }()
}

/// SplitMix64 (Steele, Lea and Flood): a fast generator with a full 2^64 period, the same sequence on every
/// machine for a seed (the property tests replay theirs).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
