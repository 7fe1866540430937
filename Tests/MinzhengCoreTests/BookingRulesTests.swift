import Foundation
import MinzhengCore
import MinzhengTesting
import Testing

@Suite struct BookingRulesTests {
    let rules = BookingRules()
    let day = LocalDate(iso: "2026-12-02")!

    func applicant(_ id: String, _ name: String = "张三") -> ApplicantInput {
        ApplicantInput(name: name, idNumber: id, phone: "13800138000")
    }

    @Test func theWindowOpensTomorrowAndClosesAtThreeTheDayBefore() {
        let today = LocalDate(iso: "2026-12-01")!
        let window = BookingWindow()
        #expect(window.contains(day, now: today.instant(hour: 14, minute: 59)))
        #expect(!window.contains(day, now: today.instant(hour: 15)))
        #expect(!window.contains(today, now: today.instant(hour: 8)))
        #expect(window.contains(today.adding(days: 30), now: today.instant(hour: 16)))
        #expect(!window.contains(today.adding(days: 31), now: today.instant(hour: 8)))
    }

    @Test func aCoupleIsOneManAndOneWomanOfAge() throws {
        let (man, woman) = TestIDs.couple(3)
        let checked = try rules.checkApplicants([applicant(man), applicant(woman, "李四")], service: .marriage, date: day, today: day)
        #expect(checked.map(\.idNumber.sex) == [.male, .female])
        #expect(throws: DomainError.self) { try rules.checkApplicants([applicant(man)], service: .marriage, date: day, today: day) }
        #expect(throws: DomainError.self) { try rules.checkApplicants([applicant(man), applicant(man)], service: .marriage, date: day, today: day) }
        let otherMan = TestIDs.couple(4).man
        #expect(throws: DomainError.self) { try rules.checkApplicants([applicant(man), applicant(otherMan)], service: .marriage, date: day, today: day) }
        #expect(try rules.checkApplicants([applicant(man)], service: .reissue, date: day, today: day).count == 1)
    }

    @Test func agesAreTakenOnTheAppointmentDay() throws {
        let man = TestIDs.make(birth: "20041202", sequence: 1)  // 22 on 2026-12-02
        let woman = TestIDs.make(birth: "20061203", sequence: 2)  // 20 only on 2026-12-03
        let codes = { (date: LocalDate) -> String? in
            do {
                _ = try rules.checkApplicants([applicant(man), applicant(woman)], service: .marriage, date: date, today: day)
                return nil
            } catch let error as DomainError { return error.code } catch { return "?" }
        }
        #expect(codes(day) == "underage")
        #expect(codes(day.adding(days: 1)) == nil)
        #expect(codes(day.adding(days: -1)) == "underage")
        // A divorce has no age rule.
        #expect(try rules.checkApplicants([applicant(man), applicant(woman)], service: .divorceApplication, date: day, today: day).count == 2)
    }

    @Test func badIDsAndPhonesAreNamed() {
        let (man, woman) = TestIDs.couple(5)
        #expect { try rules.checkApplicants([applicant(man), applicant("110105194912310021")], service: .marriage, date: day, today: day) }
            throws: { ($0 as? DomainError)?.code == "invalid_id_number" && ($0 as? DomainError)?.detail.contains("applicants[1]") == true }
        #expect { try rules.checkApplicants([applicant(man), ApplicantInput(name: "李四", idNumber: woman, phone: "12345")], service: .marriage, date: day, today: day) }
            throws: { ($0 as? DomainError)?.code == "applicants_invalid" }
        #expect { try rules.checkApplicants([applicant(man), applicant(woman, "")], service: .marriage, date: day, today: day) }
            throws: { ($0 as? DomainError)?.code == "applicants_invalid" }
    }

    @Test func theCertificateWindowIsDays31To60WithAHolidayDeadlineMoved() {
        let calendar = WorkCalendar(days: (1...7).map { (LocalDate(year: 2026, month: 10, day: $0)!, WorkCalendar.DayKind.holiday) })
        // Accepted 2026-08-02: day 60 is 2026-10-01, National Day; the holidays run to 10-07, so the deadline is 10-08.
        let window = rules.certificateWindow(acceptedOn: LocalDate(iso: "2026-08-02")!, calendar: calendar)
        #expect(window.lowerBound.description == "2026-09-02")
        #expect(window.upperBound.description == "2026-10-08")
        // Accepted 2026-06-01: day 60 is 2026-07-31, a Friday: no move.
        let plain = rules.certificateWindow(acceptedOn: LocalDate(iso: "2026-06-01")!, calendar: calendar)
        #expect(plain.lowerBound.description == "2026-07-02")
        #expect(plain.upperBound.description == "2026-07-31")
    }

    @Test func twoNoShowsWithin30DaysBarFor15Days() {
        let first = LocalDate(iso: "2026-11-01")!
        #expect(rules.barredUntil(noShows: [first]) == nil)
        #expect(rules.barredUntil(noShows: [first, first.adding(days: 29)]) == first.adding(days: 29 + 16))
        #expect(rules.barredUntil(noShows: [first, first.adding(days: 30)]) == nil)
        #expect(rules.barredUntil(noShows: [first.adding(days: 10), first]) == first.adding(days: 26))
    }
}

@Suite struct PersonalDataCipherTests {
    @Test func sealsOpensAndHashes() throws {
        let cipher = PersonalDataCipher(masterKey: PersonalDataCipher.generateMasterKey())
        let sealed = try cipher.seal("320102199001011234")
        #expect(try cipher.open(sealed) == "320102199001011234")
        #expect(!String(decoding: sealed, as: UTF8.self).contains("1990"))
        #expect(try cipher.seal("x") != cipher.seal("x"))  // a fresh nonce each time
        #expect(cipher.lookupHash("a") == cipher.lookupHash("a"))
        let other = PersonalDataCipher(masterKey: PersonalDataCipher.generateMasterKey())
        #expect(other.lookupHash("a") != cipher.lookupHash("a"))
        #expect(throws: (any Error).self) { try other.open(sealed) }
    }
}
