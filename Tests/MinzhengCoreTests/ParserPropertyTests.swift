import Foundation
import MinzhengCore
import Testing

/// Property tests of the parsers that read citizens' and callers' input: tens of thousands of generated
/// inputs each, from a fixed seed (`MINZHENG_FUZZ_SEED` picks another; a failure names its seed and input).
/// Random input never crashes a parser; every valid value is accepted; every one-character change of a
/// valid ID number or credit code is refused (both check characters catch any single substitution and any
/// swap of two different neighbours).
@Suite struct ParserPropertyTests {
    static let seed = ProcessInfo.processInfo.environment["MINZHENG_FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_129
    static let cases = 20_000
    static let today = LocalDate(iso: "2026-11-29")!

    @Test func randomTextNeverCrashesAParserAndWhatIsAcceptedIsWellFormed() throws {
        var random = SplitMix64(seed: Self.seed)
        for _ in 0..<Self.cases {
            let text = random.text()
            if let id = try? IDNumber(text, today: Self.today) {
                #expect(id.value.count == 18 && id.value == text.uppercased(), "seed \(Self.seed): \(text)")
            }
            if let code = try? CreditCode(text) {
                #expect(code.value.count == 18 && code.value == text.uppercased(), "seed \(Self.seed): \(text)")
            }
            if let division = DivisionCode(text) {
                #expect([2, 4, 6, 9].contains(division.rawValue.count), "seed \(Self.seed): \(text)")
                #expect(division.rawValue.allSatisfy { $0.isASCII && $0.isNumber })
            }
            if let point = GeoPoint(parsing: text) {
                #expect((-90...90).contains(point.lat) && (-180...180).contains(point.lng), "seed \(Self.seed): \(text)")
            }
            _ = PageCursor(token: text)
            // The directory's query parameters: either accepted or a 400 problem, never anything else.
            do {
                _ = try DirectorySearchParameters(type: "marriage-registry", division: text, q: text, near: text, radiusKm: nil, limit: nil, cursor: text)
            } catch {
                #expect(error.kind == .badRequest, "seed \(Self.seed): \(text)")
            }
        }
    }

    @Test func everyValidIDNumberIsAcceptedAndEveryOneCharacterChangeRefused() throws {
        var random = SplitMix64(seed: Self.seed &+ 1)
        for _ in 0..<Self.cases / 40 {
            let valid = random.idNumber()
            let id = try IDNumber(valid, today: Self.today)
            #expect(id.value == valid)
            #expect(id.sex == (Int(String(Array(valid)[16]))! % 2 == 1 ? .male : .female))
            for variant in Self.oneCharacterChanges(of: valid, alphabet: Array("0123456789X")) {
                #expect(throws: IDNumber.Problem.self, "seed \(Self.seed): \(valid) -> \(variant)") { try IDNumber(variant, today: Self.today) }
            }
        }
    }

    @Test func everyValidCreditCodeIsAcceptedAndEveryOneCharacterChangeRefused() throws {
        var random = SplitMix64(seed: Self.seed &+ 2)
        for _ in 0..<Self.cases / 40 {
            let valid = random.creditCode()
            #expect(try CreditCode(valid).value == valid)
            #expect(try CreditCode(valid.lowercased()).value == valid)
            for variant in Self.oneCharacterChanges(of: valid, alphabet: Array(Self.creditAlphabet)) {
                #expect(throws: CreditCode.Problem.self, "seed \(Self.seed): \(valid) -> \(variant)") { try CreditCode(variant) }
            }
        }
    }

    /// Every substitution of one character by another of `alphabet`, and every swap of two different neighbours.
    static func oneCharacterChanges(of text: String, alphabet: [Character]) -> [String] {
        let characters = Array(text)
        var variants: [String] = []
        for position in characters.indices {
            for other in alphabet where other != characters[position] {
                var changed = characters
                changed[position] = other
                variants.append(String(changed))
            }
            if position + 1 < characters.count, characters[position] != characters[position + 1] {
                var swapped = characters
                swapped.swapAt(position, position + 1)
                variants.append(String(swapped))
            }
        }
        return variants
    }

    static let creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
}

/// The inputs the properties are checked over, drawn from Core's seeded generator.
extension SplitMix64 {
    /// Mostly near-miss input (digits, X, code letters, separators, the lengths parsers care about), some anything.
    mutating func text() -> String {
        let pieces: [[Character]] = [Array("0123456789"), Array("0123456789Xx"), Array(ParserPropertyTests.creditAlphabet + "IOSVZ"),
                                     Array(",.-+ =/_%\u{1F}"), Array("南京市玄武区婚姻登记处ＡＢ１２"), ["\u{0}", "\u{FEFF}", "\u{301}", "😀"]]
        let length = [0, 1, 2, 4, 6, 9, 12, 17, 18, 19, 30, Int.random(in: 0...80, using: &self)].randomElement(using: &self)!
        return String((0..<length).map { _ in
            let piece = Int.random(in: 0..<100, using: &self) < 80 ? pieces[Int.random(in: 0..<3, using: &self)] : pieces.randomElement(using: &self)!
            return piece.randomElement(using: &self)!
        })
    }

    /// A valid ID number, its check character computed here from GB 11643 (not by the code under test).
    mutating func idNumber() -> String {
        let address = String(format: "%06d", Int.random(in: 110_000...659_999, using: &self))
        let birth = ParserPropertyTests.today.adding(days: -Int.random(in: 0...36_500, using: &self)).description.replacingOccurrences(of: "-", with: "")
        let body = address + birth + String(format: "%03d", Int.random(in: 0...999, using: &self))
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + $1.0.wholeNumberValue! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    /// A valid credit code, its check characters computed here from GB 11714 (the 17th) and GB 32100 (the 18th).
    mutating func creditCode() -> String {
        let alphabet = Array(ParserPropertyTests.creditAlphabet)
        var indexes = (0..<16).map { _ in Int.random(in: 0..<31, using: &self) }
        // The organisation code's eight characters count as digits and letters from A = 10.
        let organisation = zip(indexes[8..<16], [3, 7, 9, 10, 5, 8, 4, 2]).reduce(0) { total, pair in
            let character = alphabet[pair.0]
            return total + (character.wholeNumberValue ?? Int(character.asciiValue! - Character("A").asciiValue!) + 10) * pair.1
        }
        let organisationCheck: Character = switch 11 - organisation % 11 { case 10: "X"; case 11: "0"; case let digit: Character(String(digit)) }
        indexes.append(alphabet.firstIndex(of: organisationCheck)!)
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        let check = (31 - zip(indexes, weights).reduce(0) { $0 + $1.0 * $1.1 } % 31) % 31
        return String(indexes.map { alphabet[$0] }) + String(alphabet[check])
    }
}
