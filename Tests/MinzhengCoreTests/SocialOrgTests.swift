import Foundation
import MinzhengCore
import MinzhengTesting
import Testing

@Suite struct SocialOrgTests {
    static let divisions = Set(try! SeedSet.load(from: Fixtures.seedDirectory).divisions.map(\.code))
    static let header = SocialOrgFeed.columns.joined(separator: ",")

    /// A feed row; the credit code's check character is computed by `CreditCode`'s rules in `code(...)` below.
    static func row(_ code: String, name: String = "南京市玄武区测试协会", type: String = "social_group", status: String = "active",
                    division: String = "320102", inspections: String = "2024:pass", lists: String = "") -> String {
        "\(code),\(name),\(type),\(status),南京市玄武区民政局,\(division),2015-06-01,王小明,江苏省南京市玄武区中山路1号,025-12345678,\(inspections),\(lists)"
    }

    /// A Nanjing code whose organisation code begins with the eight characters of `serial`.
    static func code(_ category: Character, _ serial: String) -> String { Fixtures.creditCode("5\(category)320102\(serial)") }

    /// A feed may send again an organisation registered before the organisation-code check was made (its status
    /// changed, say); a code failing that check that nobody registered is refused with the reason.
    @Test func aRegisteredCodeFromBeforeTheOrganisationCheckMayComeAgain() throws {
        let old = Fixtures.creditCodeFailingOnlyTheOrganisationCheck("51320102MA765499")
        let unknown = SocialOrgFeed(csv: Self.header + "\n" + Self.row(old) + "\n", divisions: Self.divisions)
        #expect(unknown.organisations.isEmpty && unknown.rejections.first?.reason.contains("17th") == true)
        let registered = try CreditCode(old, checkingOrganisationCode: false)
        let known = SocialOrgFeed(csv: Self.header + "\n" + Self.row(old, status: "deregistered") + "\n", divisions: Self.divisions,
                                  registered: [registered])
        #expect(known.rejections.isEmpty && known.organisations.map(\.code) == [registered])
    }

    func organisation(_ row: String) throws -> SocialOrg {
        let feed = SocialOrgFeed(csv: Self.header + "\n" + row + "\n", divisions: Self.divisions)
        #expect(feed.rejections.isEmpty, "\(feed.rejections)")
        return try #require(feed.organisations.first)
    }

    @Test func namesMatchIgnoringSpacesAndBracketWidth() throws {
        let org = try organisation(Self.row(Self.code("1", "MA123457"), name: "南京市玄武区测试协会（筹）"))
        #expect(org.nameMatches("南京市玄武区测试协会(筹)"))
        #expect(org.nameMatches(" 南京市玄武区 测试协会（筹）"))
        #expect(!org.nameMatches("南京市玄武区测试协会"))
    }

    @Test func eachWarningIsGiven() throws {
        #expect(try organisation(Self.row(Self.code("1", "MA123451"))).warnings.isEmpty)
        let revoked = try organisation(Self.row(Self.code("1", "MA123452"), status: "registration_revoked"))
        #expect(revoked.warnings.map(\.code) == ["not_active"])
        let listed = try organisation(Self.row(Self.code("2", "MA123453"), type: "social_service",
                                               lists: "irregular_activity:2024-03-01:未按规定报送年度工作报告|serious_dishonesty:2026-03-02:满2年未履行义务"))
        #expect(listed.warnings.map(\.code) == ["irregular_activity_list", "serious_dishonesty_list"])
        #expect(listed.warnings[0].message.contains("2024-03-01") && listed.warnings[0].message.contains("未按规定报送年度工作报告"))
        let failed = try organisation(Self.row(Self.code("3", "MA123454"), type: "foundation", inspections: "2024:pass;2025:fail"))
        #expect(failed.warnings.map(\.code) == ["inspection_failed"])
        // Only the latest inspection counts: a failure that was put right is history.
        #expect(try organisation(Self.row(Self.code("1", "MA123455"), inspections: "2024:fail;2025:pass")).warnings.isEmpty)
    }

    @Test func aFileThatIsNotUTF8OrLacksColumnsIsOneRejection() {
        let gbk = Data([0xC9, 0xE7, 0xBB, 0xE1])  // 社会 in GBK
        let notUTF8 = SocialOrgFeed(data: Data((Self.header + "\n").utf8) + gbk, divisions: Self.divisions)
        #expect(notUTF8.rejections.map(\.line) == [0] && notUTF8.rejections[0].reason.contains("UTF-8"))
        let short = SocialOrgFeed(csv: "credit_code,name\n\(Self.code("1", "MA765431")),某协会\n", divisions: Self.divisions)
        #expect(short.rejections.map(\.line) == [1] && short.rejections[0].reason.contains("org_type"))
        #expect(short.organisations.isEmpty)
        let facilities = EldercareFeed(csv: "id,name\n1,某养老院\n", divisions: Self.divisions)
        #expect(facilities.rejections.map(\.line) == [1] && facilities.facilities.isEmpty)
    }

    @Test func aFeedSaysWhichRowsAreWrongAndWhy() {
        let good = Self.row(Self.code("1", "MA000001"))
        let rows = [
            good,
            Self.row("51320102MA00000010"),  // wrong check character
            Self.row(Self.code("1", "MA000002"), type: "foundation"),  // category 1 is not a foundation
            Self.row(Self.code("1", "MA000003"), division: "320200"),  // not the code's division
            Self.row(Self.code("1", "MA000004"), status: "sleeping"),
            Self.row(Self.code("1", "MA000005"), inspections: "2024:ok"),
            good,  // the same code twice
        ]
        let feed = SocialOrgFeed(csv: ([Self.header] + rows).joined(separator: "\n"), divisions: Self.divisions)
        #expect(feed.rejections.map(\.line) == [3, 4, 5, 6, 7, 8])
        #expect(feed.rejections[0].reason.contains("check character"))
        #expect(feed.rejections[1].reason.contains("category"))
        #expect(feed.rejections[5].reason.contains("line 2"))
    }
}
