/// A Unified Social Credit Code (统一社会信用代码, GB 32100-2015): registration authority, organisation
/// category, six-digit division code, nine-character organisation code (GB 11714), check character.
/// Only valid codes can be made; lower-case input is accepted and stored upper-case.
public struct CreditCode: Hashable, Sendable, CustomStringConvertible {
    /// Why a code was refused, for a message that says what to fix.
    public enum Problem: Error, Equatable, Sendable {
        case length(Int)
        /// A character outside `0-9A-Z` without I, O, S, V, Z, at this 1-based position.
        case character(position: Int)
        /// The check character should be this one.
        case checkCharacter(expected: Character)
        /// The organisation code's own check character (the 17th, GB 11714) should be this one.
        case organisationCheck(expected: Character)
    }

    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    public let value: String

    /// `checkingOrganisationCode` false skips the organisation code's own check (the 17th character): for codes
    /// read back from the database, imported before that check was made, which must still be found.
    public init(_ text: String, checkingOrganisationCode: Bool = true) throws(Problem) {
        var bytes = Array(text.utf8)
        guard bytes.count == 18 else {
            // Eighteen characters, some of them not ASCII (a full-width letter, say): name the first such one.
            if text.count == 18, let position = text.firstIndex(where: { !$0.isASCII }) { throw .character(position: text.distance(from: text.startIndex, to: position) + 1) }
            throw .length(text.count)
        }
        var indexes: [Int] = []
        indexes.reserveCapacity(18)
        for (position, byte) in bytes.enumerated() {
            let upper = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte
            guard upper < 128, let index = Self.indexByASCII[Int(upper)] else { throw .character(position: position + 1) }
            bytes[position] = upper
            indexes.append(index)
        }
        let expected = Self.checkCharacter(for: indexes.prefix(17))
        guard Character(Unicode.Scalar(bytes[17])) == expected else { throw .checkCharacter(expected: expected) }
        // Characters 9-17 are the organisation code, which carries a check of its own: a code can pass the
        // 18th character's check and still not be one that was issued.
        let organisation = Self.organisationCheckCharacter(for: bytes[8..<16])
        guard !checkingOrganisationCode || bytes[16] == organisation else { throw .organisationCheck(expected: Character(Unicode.Scalar(organisation))) }
        value = String(decoding: bytes, as: UTF8.self)
    }

    /// GB 11714: the first eight characters of the organisation code (digits 0-9, letters A-Z as 10-35) weighted
    /// 3 7 9 10 5 8 4 2; c = 11 - (sum mod 11), where 10 is `X` and 11 is `0`. `characters` are upper-case ASCII.
    static func organisationCheckCharacter(for characters: ArraySlice<UInt8>) -> UInt8 {
        let weights = [3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(characters, weights).reduce(0) { total, pair in
            let (byte, weight) = pair
            let value = byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : Int(byte - UInt8(ascii: "A")) + 10
            return total + value * weight
        }
        switch 11 - sum % 11 {
        case 10: return UInt8(ascii: "X")
        case 11: return UInt8(ascii: "0")
        case let digit: return UInt8(ascii: "0") + UInt8(digit)
        }
    }

    /// Alphabet index by ASCII code (upper case), nil for characters outside the alphabet.
    private static let indexByASCII: [Int?] = (0..<128).map { code in alphabet.firstIndex(of: Character(Unicode.Scalar(UInt8(code)))) }

    /// The check character over the first 17 characters' alphabet indexes.
    static func checkCharacter(for indexes: some Collection<Int>) -> Character {
        let sum = zip(indexes, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// `5` for codes issued by civil-affairs authorities (social organisations).
    public var registrationAuthority: Character { Array(value)[0] }
    /// For civil affairs: `1` 社会团体, `2` 民办非企业单位, `3` 基金会, `9` other.
    public var category: Character { Array(value)[1] }
    public var divisionCode: String { String(Array(value)[2..<8]) }

    public var description: String { value }
}
