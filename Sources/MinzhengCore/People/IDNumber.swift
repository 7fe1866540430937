/// A resident ID number (公民身份号码, GB 11643-1999): address code, birth date, sequence (odd = male),
/// check character. Only valid numbers can be made; the value is personal data, never log it.
public struct IDNumber: Hashable, Sendable {
    public enum Sex: String, Sendable { case male, female }

    public enum Problem: Error, Equatable, Sendable {
        case length, character, birthDate, checksum
    }

    /// Upper-case, 18 characters.
    public let value: String
    public let birthDate: LocalDate
    public let sex: Sex

    private static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let checkCharacters = Array("10X98765432".utf8)

    /// Checks `text` (lower-case x accepted); `today` bounds the birth date.
    public init(_ text: String, today: LocalDate) throws(Problem) {
        let bytes = Array(text.uppercased().utf8)
        guard bytes.count == 18 else { throw .length }
        let digits = bytes.prefix(17)
        guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            (bytes[17] >= UInt8(ascii: "0") && bytes[17] <= UInt8(ascii: "9")) || bytes[17] == UInt8(ascii: "X")
        else { throw .character }
        func number(_ range: Range<Int>) -> Int { bytes[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } }
        guard let birth = LocalDate(year: number(6..<10), month: number(10..<12), day: number(12..<14)), birth <= today else {
            throw .birthDate
        }
        let sum = zip(digits, Self.weights).reduce(0) { $0 + Int($1.0 - UInt8(ascii: "0")) * $1.1 }
        guard Self.checkCharacters[sum % 11] == bytes[17] else { throw .checksum }
        value = String(decoding: bytes, as: UTF8.self)
        birthDate = birth
        sex = number(14..<17) % 2 == 1 ? .male : .female
    }

    /// Whole years of age on `date`.
    public func age(on date: LocalDate) -> Int {
        let birth = birthDate.components, day = date.components
        var years = day.year - birth.year
        if (day.month, day.day) < (birth.month, birth.day) { years -= 1 }
        return years
    }

    /// `3201**********1234`: first four and last four kept.
    public var masked: String { Masking.idNumber(value) }
}
