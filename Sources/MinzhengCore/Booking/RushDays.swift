import Crypto
import Foundation

/// The days couples want most. Every office treats these as high-demand without anyone marking them; staff may
/// mark more for their office.
public enum HighDemandCalendar {
    /// 七夕, the seventh day of the seventh lunar month, on the Gregorian calendar.
    static let qixi: [Int: (month: Int, day: Int)] = [2025: (8, 29), 2026: (8, 19), 2027: (8, 8), 2028: (8, 26), 2029: (8, 16), 2030: (8, 5)]

    /// 5.20 and 5.21 (我爱你), 2.14, 七夕, 9.9 (长久), and dates whose month and day are written with one digit
    /// only (1.1, 1.11, 11.11, 2.2, 2.22, ...: 2022-02-22 was the busiest day registry offices had seen).
    public static func isProvincialDefault(_ date: LocalDate) -> Bool {
        let (year, month, day) = date.components
        if [(5, 20), (5, 21), (2, 14), (9, 9)].contains(where: { $0 == (month, day) }) { return true }
        if let festival = qixi[year], festival == (month, day) { return true }
        return Set("\(month)\(day)").count == 1
    }

    /// Couples register for the draw from this many days before the release until the release.
    public static let registrationDays = 7
}

/// The fair draw of a high-demand day: at release, registered couples are put in a random order fixed by a
/// seed, and places go down that order, each couple getting its highest-ranked period with a place left.
/// The seed and every entry's key are published, so anyone can recompute the order and the outcome.
public enum FairDraw {
    /// Entries sorted by SHA-256 of "seed:key" (ties, impossible in practice, by key).
    public static func order(_ keys: [String], seed: String) -> [String] {
        keys.map { key in (key, SHA256.hash(data: Data("\(seed):\(key)".utf8)).map { $0 }) }
            .sorted { left, right in left.1.lexicographicallyPrecedes(right.1) || (left.1 == right.1 && left.0 < right.0) }
            .map(\.0)
    }

    /// Goes down `order`; each entry gets its first preference with a place left, or none. Entries in `skipping`
    /// (ineligible at the draw) get none and take none.
    public static func assign(order: [String], preferences: [String: [String]], places: [String: Int],
                              skipping: Set<String> = []) -> [(key: String, period: String?)] {
        var left = places
        return order.map { key in
            guard !skipping.contains(key), let period = (preferences[key] ?? []).first(where: { left[$0, default: 0] > 0 }) else { return (key, nil) }
            left[period, default: 0] -= 1
            return (key, period)
        }
    }

    /// A new seed: 32 random bytes in hex, drawn at release.
    public static func makeSeed() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in generator.next() as UInt64 }.map { word in
            (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) }
        }.flatMap { $0 }.hexString
    }

    /// What is published of a seed before the draw: SHA-256 of it, in hex. After the draw the seed itself is
    /// published, and anyone can check it against this.
    public static func commitment(_ seed: String) -> String {
        SHA256.hash(data: Data(seed.utf8)).map { $0 }.hexString
    }

    /// One entry per couple: the two keyed ID hashes in order, whoever is named first.
    public static func coupleKey(_ idHashes: [String]) -> String {
        idHashes.sorted().joined(separator: ":")
    }
}
