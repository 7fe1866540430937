/// The level of an administrative division, read from the length of its code.
public enum DivisionLevel: String, Sendable, Codable, CaseIterable {
    case province, city, county, township

    /// How many digits a code of this level has (`DivisionCode.level` reads them back).
    public var codeLength: Int {
        switch self {
        case .province: 2
        case .city: 4
        case .county: 6
        case .township: 9
        }
    }
}

/// A GB/T 2260 division code (`32`, `3201`, `320102`) or a statistics-bureau township code (`320102001`).
///
/// Codes are kept in their short form: a province is two digits, not `320000`. Longer forms with trailing zeros
/// are accepted on input and shortened: six digits (`320000`, `320100`), nine (`320102000`) and the statistics
/// bureau's twelve (`320102001000` a township, `320102000000` a county).
public struct DivisionCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ text: some StringProtocol) {
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var digits = String(text)
        if digits.count == 12 {
            // Twelve-digit statistics codes end in three zeros (the village part); a county's, city's or province's
            // also in three more (the township part), and then read as its six-digit form.
            guard digits.hasSuffix("000") else { return nil }
            digits = String(digits.prefix(9))
        }
        // No township is numbered 000: nine digits ending so are the county's nine-digit form.
        if digits.count == 9, digits.hasSuffix("000") { digits = String(digits.prefix(6)) }
        switch digits.count {
        case 2, 4, 9: break
        case 6:
            // The official six-digit forms of provinces and cities end in zeros.
            if digits.hasSuffix("0000") { digits = String(digits.prefix(2)) }
            else if digits.hasSuffix("00") { digits = String(digits.prefix(4)) }
        default:
            return nil
        }
        guard !digits.hasPrefix("00") else { return nil }
        self.rawValue = digits
    }

    public var level: DivisionLevel {
        switch rawValue.count {
        case 2: .province
        case 4: .city
        case 6: .county
        default: .township
        }
    }

    /// The code of the division directly above, or nil for a province.
    public var parent: DivisionCode? {
        switch level {
        case .province: nil
        case .city: DivisionCode(unchecked: String(rawValue.prefix(2)))
        case .county: DivisionCode(unchecked: String(rawValue.prefix(4)))
        case .township: DivisionCode(unchecked: String(rawValue.prefix(6)))
        }
    }

    /// True when `other` is this division or lies under it.
    public func contains(_ other: DivisionCode) -> Bool { other.rawValue.hasPrefix(rawValue) }

    public var description: String { rawValue }

    public static func < (lhs: DivisionCode, rhs: DivisionCode) -> Bool { lhs.rawValue < rhs.rawValue }

    init(unchecked: String) { self.rawValue = unchecked }
}
