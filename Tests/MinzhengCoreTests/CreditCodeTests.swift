import MinzhengCore
import Testing

@Suite struct CreditCodeTests {
    @Test func theHandbookExampleIsValid() throws {
        let code = try CreditCode("91110000600037341L")
        #expect(code.registrationAuthority == "9" && code.category == "1" && code.divisionCode == "110000")
        #expect(try CreditCode("91110000600037341l").value == "91110000600037341L")
    }

    @Test func everyChangedCharacterIsCaught() {
        let valid = Array("91110000600037341L")
        for position in valid.indices {
            var changed = valid
            changed[position] = changed[position] == "5" ? "6" : "5"
            #expect(throws: CreditCode.Problem.self) { try CreditCode(String(changed)) }
        }
    }

    @Test func saysWhyACodeIsWrong() {
        #expect(throws: CreditCode.Problem.length(17)) { try CreditCode("91110000600037341") }
        #expect(throws: CreditCode.Problem.character(position: 18)) { try CreditCode("91110000600037341Ｌ") }  // full-width L
        #expect(throws: CreditCode.Problem.character(position: 3)) { try CreditCode("91I10000600037341L") }
        #expect(throws: CreditCode.Problem.checkCharacter(expected: "L")) { try CreditCode("91110000600037341M") }
    }

    @Test(arguments: ["1", "2", "3"])
    func socialOrganisationCategories(category: Character) throws {
        // A civil-affairs code of this category in Nanjing, its check character computed by hand here.
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        let body = Array("5\(category)320100MJ1234567")
        let sum = zip(body.map { alphabet.firstIndex(of: $0)! }, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let code = try CreditCode(String(body) + String(alphabet[(31 - sum % 31) % 31]))
        #expect(code.registrationAuthority == "5" && code.category == category && code.divisionCode == "320100")
    }
}
