import MinzhengCore
import Testing

@Suite struct DivisionCodeTests {
    @Test(arguments: [("32", DivisionLevel.province), ("3201", .city), ("320102", .county), ("320102001", .township)])
    func levelComesFromLength(code: String, level: DivisionLevel) throws {
        #expect(try #require(DivisionCode(code)).level == level)
    }

    @Test func officialSixDigitFormsAreShortened() {
        #expect(DivisionCode("320000")?.rawValue == "32")
        #expect(DivisionCode("320100")?.rawValue == "3201")
        #expect(DivisionCode("320102001000")?.rawValue == "320102001")
        // Twelve-digit statistics codes of a county, a city and a province: not a township "000" of theirs.
        #expect(DivisionCode("320102000000")?.rawValue == "320102")
        #expect(DivisionCode("320100000000")?.rawValue == "3201")
        #expect(DivisionCode("320000000000")?.rawValue == "32")
        #expect(DivisionCode("320102000")?.rawValue == "320102")
    }

    @Test(arguments: ["", "3", "321", "32010", "3201020", "abcd", "32 01", "００", "00", "320102001001", "-3201"])
    func malformedCodesAreRefused(text: String) {
        #expect(DivisionCode(text) == nil)
    }

    @Test func parentsLeadToTheProvince() throws {
        let township = try #require(DivisionCode("320102001"))
        #expect(township.parent?.rawValue == "320102")
        #expect(township.parent?.parent?.rawValue == "3201")
        #expect(township.parent?.parent?.parent?.rawValue == "32")
        #expect(township.parent?.parent?.parent?.parent == nil)
    }

    @Test func containsIsByPrefix() throws {
        let nanjing = try #require(DivisionCode("3201"))
        #expect(nanjing.contains(try #require(DivisionCode("320102001"))))
        #expect(nanjing.contains(nanjing))
        #expect(!nanjing.contains(try #require(DivisionCode("3202"))))
    }
}
