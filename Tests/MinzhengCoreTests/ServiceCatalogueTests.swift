import Foundation
import MinzhengCore
import MinzhengTesting
import Testing

/// The shipped catalogue, its 三级四同 rule at import, and the queries citizens make.
@Suite struct ServiceCatalogueTests {
    struct Files {
        let items: Data
        let publications: String
        let halls: String
        let divisions: Set<DivisionCode>

        static func shipped() throws -> Files {
            let directory = Fixtures.seedDirectory
            let seed = try SeedSet.load(from: directory)
            return Files(items: try Data(contentsOf: directory.appendingPathComponent("service-items.json")),
                         publications: try String(contentsOf: directory.appendingPathComponent("service-publications.csv"), encoding: .utf8),
                         halls: try String(contentsOf: directory.appendingPathComponent("service-halls.csv"), encoding: .utf8),
                         divisions: Set(seed.divisions.map(\.code)))
        }

        func parse(publications: String? = nil) throws -> ServiceCatalogueData {
            try ServiceCatalogueFeed.parse(items: items, publications: publications ?? self.publications, halls: halls, divisions: divisions)
        }

        /// The publications file with one level's row of one item changed by `edit` (its cells, CSV-quoted when needed).
        func drifting(division: String, item: String, _ edit: (inout [String]) -> Void) throws -> String {
            let table = try CSVTable(parsing: publications)
            var lines = ["division_code,item_code,type,name,legal_basis,window"]
            var edited = 0
            for (_, row) in try table.records() {
                var cells = ["division_code", "item_code", "type", "name", "legal_basis", "window"].map { row[$0] ?? "" }
                if cells[0] == division, cells[1] == item {
                    edit(&cells)
                    edited += 1
                }
                lines.append(cells.map { $0.contains(",") ? "\"\($0)\"" : $0 }.joined(separator: ","))
            }
            #expect(edited == 1)
            return lines.joined(separator: "\n") + "\n"
        }
    }

    @Test func theShippedCatalogueHasEveryItemAtEveryLevel() throws {
        let data = try Files.shipped().parse()
        #expect(data.items.count >= 40)
        #expect(Set(data.items.map(\.topic)) == Set(ServiceTopic.allCases))
        let levels = Set(data.publications.map(\.division))
        #expect(levels.contains(ServiceCatalogue.province))
        #expect(levels.filter { $0.level == .city }.count == 13)
        #expect(levels.filter { $0.level == .county }.count >= 95)
        #expect(data.publications.count == levels.count * data.items.count, "every level publishes every item")
        #expect(CatalogueDrift.find(items: data.items, publications: data.publications).isEmpty)
        for item in data.items {
            #expect(item.guide.promisedDays <= item.guide.statutoryDays && !item.guide.materials.isEmpty && !item.guide.faqs.isEmpty, "\(item.code)")
        }
        // The kinds of item the issue names are there.
        for name in ["结婚登记", "收养登记", "社会团体成立登记", "基金会注销登记", "最低生活保障", "特困人员", "临时救助", "养老机构备案", "孤儿", "殡", "地名"] {
            #expect(data.items.contains { $0.name.contains(name) }, "\(name)")
        }
    }

    @Test(arguments: [
        ("name", "320102", "MZ-03-001"), ("legal_basis", "3205", "MZ-02-001"), ("type", "321324", "MZ-04-001"),
    ])
    func aLevelThatPublishesAnAttributeDifferentlyIsRefused(attribute: String, division: String, item: String) throws {
        let files = try Files.shipped()
        let column = ["type": 2, "name": 3, "legal_basis": 4][attribute]!
        let drifted = try files.drifting(division: division, item: item) { $0[column] += "（本地版）" }
        #expect {
            try files.parse(publications: drifted)
        } throws: { error in
            let text = "\(error)"
            return text.contains("三级四同") && text.contains("item \(item)") && text.contains(" \(attribute) ") && text.contains("province 32")
                && text.contains("and \(division) (") && text.contains("（本地版）")
        }
    }

    @Test func anItemPublishedUnderAnotherCodeIsACodeDrift() throws {
        let files = try Files.shipped()
        let drifted = try files.drifting(division: "3202", item: "MZ-01-006") { $0[1] = "MZ-01-099" }
        #expect {
            try files.parse(publications: drifted)
        } throws: { "\($0)".contains("item MZ-01-006: code differs between province 32 (MZ-01-006) and 3202 (MZ-01-099)") }
    }

    @Test func driftIsNamedByItemLevelAndAttribute() throws {
        let data = try Files.shipped().parse()
        var publications = data.publications
        let index = try #require(publications.firstIndex { $0.division.rawValue == "320102" && $0.attributes.code == "MZ-03-001" })
        let original = publications[index].attributes
        publications[index] = ServicePublication(
            division: publications[index].division,
            attributes: SharedAttributes(code: original.code, type: original.type, name: original.name + "（试行）", legalBasis: "《某某办法》"),
            window: publications[index].window)
        let drifts = CatalogueDrift.find(items: data.items, publications: publications)
        #expect(drifts.map(\.attribute) == [.legalBasis, .name])
        #expect(drifts.allSatisfy { $0.itemCode == "MZ-03-001" && $0.division.rawValue == "320102" })
        #expect(drifts[1].levelValue == original.name + "（试行）" && drifts[1].provinceValue == original.name)
    }

    @Test func citizensFindItemsByDivisionTopicAndName() throws {
        let catalogue = ServiceCatalogue(try Files.shipped().parse())
        let assistance = try catalogue.items(division: DivisionCode("320102"), text: nil, topic: .socialAssistance)
        #expect(!assistance.isEmpty && assistance.allSatisfy { $0.item.topic == .socialAssistance && $0.publication.division.rawValue == "320102" })
        #expect(try catalogue.items(division: nil, text: "最低生活保障", topic: nil).map(\.levelAttributes.code) == ["MZ-03-001"])
        let byCode = try catalogue.items(division: nil, text: "mz-05", topic: nil)
        #expect(byCode.count == 5 && byCode.allSatisfy { $0.item.topic == .childWelfare })
        // A township is served by its county; a development zone and a township in it by their city.
        #expect(catalogue.publishingLevel(for: DivisionCode("320102002")!)?.rawValue == "320102")
        #expect(catalogue.publishingLevel(for: DivisionCode("320576")!)?.rawValue == "3205")
        #expect(catalogue.publishingLevel(for: DivisionCode("320576050")!)?.rawValue == "3205")
        #expect(throws: DomainError.self) { try catalogue.items(division: DivisionCode("11"), text: nil, topic: nil) }
        #expect(throws: DomainError.self) { try catalogue.item(code: "MZ-99-001", division: nil) }
        // Two levels: the same four attributes and guide, each with its own hall.
        let county = try catalogue.item(code: "mz-03-001", division: DivisionCode("320102"))
        let city = try catalogue.item(code: "MZ-03-001", division: DivisionCode("3202"))
        #expect(county.levelAttributes == city.levelAttributes && county.item.guide == city.item.guide)
        #expect(county.hall.division.rawValue == "320102" && city.hall.division.rawValue == "3202" && county.hall.address != city.hall.address)
    }
}

/// An application's statuses only move forward, and numbers cannot be walked.
@Suite struct ApplicationRulesTests {
    @Test func statusesOnlyMoveForwardAndCompletedIsTheEnd() {
        let order = ApplicationStatus.allCases
        for from in order {
            for to in from.next {
                #expect(order.firstIndex(of: to)! > order.firstIndex(of: from)!, "\(from) -> \(to) goes backwards")
            }
        }
        #expect(ApplicationStatus.completed.next.isEmpty)
        #expect(ApplicationStatus.submitted.next == [.accepted, .rejected])
        #expect(!ApplicationStatus.inReview.next.contains(.completed), "no completing an application nobody decided")
        // Every status can be reached from submitted.
        var reached: Set<ApplicationStatus> = [.submitted], frontier: [ApplicationStatus] = [.submitted]
        while let status = frontier.popLast() {
            for next in status.next where reached.insert(next).inserted { frontier.append(next) }
        }
        #expect(reached == Set(order))
        #expect(ApplicationStatus.undecided == [.submitted, .accepted, .inReview])
    }

    @Test func numbersAreDatedAndRandom() {
        let day = LocalDate(iso: "2026-11-30")!
        let numbers = (0..<200).map { _ in ApplicationNumber.make(on: day) }
        #expect(Set(numbers).count == 200)
        #expect(numbers.allSatisfy { $0.hasPrefix("SQ20261130") && ApplicationNumber.isWellFormed($0) })
        #expect(!ApplicationNumber.isWellFormed("SQ20261130ABCDEFGHIL"))  // I and L are not in the alphabet
        #expect(!ApplicationNumber.isWellFormed("SQ2026113"))
    }
}
