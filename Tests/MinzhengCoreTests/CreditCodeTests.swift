@testable import MinzhengCore
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
        // The 18th character fits, but the organisation code 60003734-2 does not: its check is 1 (GB 11714).
        #expect(throws: CreditCode.Problem.organisationCheck(expected: "1")) { try CreditCode("91110000600037342P") }
    }

    /// A code imported before the organisation-code check was made is still read, and still found by verification;
    /// a code failing that check that nobody registered is refused with the reason.
    @Test func aRegisteredCodeFromBeforeTheOrganisationCheckIsStillFound() throws {
        #expect(throws: CreditCode.Problem.organisationCheck(expected: "1")) { try CreditCode("91110000600037342P") }
        let old = try CreditCode("91110000600037342P", checkingOrganisationCode: false)
        let registry = SocialOrgRegistry([SocialOrg(code: old, name: "某协会", kind: .socialGroup, status: .active, authority: "北京市民政局",
                                                    division: DivisionCode("11")!, registeredOn: LocalDate(iso: "2010-01-01")!,
                                                    legalRepresentative: "张三", address: "北京", phone: "010-1", inspections: [], listEntries: [])])
        #expect(try SocialOrgService.code(" 91110000600037342p ", in: registry) == old)
        let error = #expect(throws: DomainError.self) { try SocialOrgService.code("91110000600037342P", in: SocialOrgRegistry([])) }
        #expect(error?.code == "invalid_credit_code" && error?.detail.contains("17th") == true)
    }

    @Test func theOrganisationCodesCheckFollowsGB11714() throws {
        // 60003734: 6*3 + 0*7 + 0*9 + 0*10 + 3*5 + 7*8 + 3*4 + 4*2 = 109; 109 mod 11 = 10; 11 - 10 = 1.
        #expect(CreditCode.organisationCheckCharacter(for: ArraySlice("60003734".utf8)) == UInt8(ascii: "1"))
        // Letters count from A = 10: M (22) and J (19) in MJ123456 give 307; 307 mod 11 = 10; the check is 1.
        #expect(CreditCode.organisationCheckCharacter(for: ArraySlice("MJ123456".utf8)) == UInt8(ascii: "1"))
        // A remainder of 1 gives 10, written X (6*2 = 12); a remainder of 0 gives 11, written 0.
        #expect(CreditCode.organisationCheckCharacter(for: ArraySlice("00000006".utf8)) == UInt8(ascii: "X"))
        #expect(CreditCode.organisationCheckCharacter(for: ArraySlice("00000000".utf8)) == UInt8(ascii: "0"))
    }

    @Test(arguments: ["1", "2", "3"])
    func socialOrganisationCategories(category: Character) throws {
        // A civil-affairs code of this category in Nanjing, its check character computed by hand here.
        let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        let body = Array("5\(category)320100MJ1234561")  // MJ123456's organisation-code check is 1 (GB 11714)
        let sum = zip(body.map { alphabet.firstIndex(of: $0)! }, weights).reduce(0) { $0 + $1.0 * $1.1 }
        let code = try CreditCode(String(body) + String(alphabet[(31 - sum % 31) % 31]))
        #expect(code.registrationAuthority == "5" && code.category == category && code.divisionCode == "320100")
    }
}
