import MinzhengCore
import MinzhengTesting
import Testing

@Suite struct IDNumberTests {
    let today = LocalDate(year: 2026, month: 11, day: 29)!

    @Test func theHandbookExampleIsValid() throws {
        let id = try IDNumber("11010519491231002X", today: today)
        #expect(id.sex == .female)  // sequence 002
        #expect(id.birthDate == LocalDate(year: 1949, month: 12, day: 31))
        #expect(try IDNumber("11010519491231002x", today: today).value == "11010519491231002X")
    }

    @Test func everyChangedCharacterIsCaught() throws {
        let valid = Array("11010519491231002X")
        for index in 0..<17 {
            var changed = valid
            changed[index] = changed[index] == "9" ? "0" : Character(String(Int(String(changed[index]))! + 1))
            #expect(throws: IDNumber.Problem.self) { try IDNumber(String(changed), today: today) }
        }
    }

    @Test(arguments: [
        ("11010519491231002", IDNumber.Problem.length), ("11010519491231002XX", .length), ("", .length),
        ("1101051949123100AX", .character), ("11010519491231002Y", .character),
        ("110105194902300029", .birthDate),  // 30 February
        ("110105203001010019", .birthDate),  // born in the future
        ("110105194912310021", .checksum),
    ])
    func refusesWithAReason(text: String, problem: IDNumber.Problem) {
        #expect(throws: problem) { try IDNumber(text, today: today) }
    }

    @Test func generatedNumbersAreValidAndSexed() throws {
        let (man, woman) = TestIDs.couple(7)
        #expect(try IDNumber(man, today: today).sex == .male)
        #expect(try IDNumber(woman, today: today).sex == .female)
    }

    @Test func ageTurnsOnTheBirthday() throws {
        let id = try IDNumber(TestIDs.make(birth: "20040615", sequence: 1), today: today)
        #expect(id.age(on: LocalDate(year: 2026, month: 6, day: 14)!) == 21)
        #expect(id.age(on: LocalDate(year: 2026, month: 6, day: 15)!) == 22)
        let leap = try IDNumber(TestIDs.make(birth: "20040229", sequence: 2), today: today)
        #expect(leap.age(on: LocalDate(year: 2024, month: 2, day: 28)!) == 19)
        #expect(leap.age(on: LocalDate(year: 2024, month: 2, day: 29)!) == 20)
    }
}

@Suite struct MaskingTests {
    @Test func idNumbersPhonesAndNames() {
        #expect(Masking.idNumber("320102199001011234") == "3201**********1234")
        #expect(Masking.phone("13812345678") == "138****5678")
        #expect(Masking.name("张三") == "张*")
        #expect(Masking.name("王小明") == "王**")
        #expect(Masking.name("欧阳娜娜") == "欧阳**")
        #expect(Masking.name("欧阳") == "欧*")
        #expect(Masking.name("李") == "李*")
    }
}
