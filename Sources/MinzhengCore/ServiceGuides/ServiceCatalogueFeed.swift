import Foundation

/// Reads the catalogue's three files (`service-items.json`, `service-publications.csv`, `service-halls.csv`) and
/// refuses them whole at the first fault, a drift between levels included: such data never reaches the database.
public enum ServiceCatalogueFeed {
    public static let fileNames = ["service-items.json", "service-publications.csv", "service-halls.csv"]
    /// Types of administrative power an item may have (权力事项类型 and public services).
    public static let itemTypes: Set<String> = ["行政许可", "行政确认", "行政给付", "行政裁决", "行政检查", "其他行政权力", "公共服务"]

    private struct ItemFile: Decodable {
        let code: String
        let topic: String
        let type: String
        let name: String
        let legalBasis: String
        let guide: ServiceGuide

        enum CodingKeys: String, CodingKey {
            case code, topic, type, name, guide
            case legalBasis = "legal_basis"
        }
    }

    public static func parse(items itemsJSON: Data, publications: String, halls: String, divisions: Set<DivisionCode>) throws -> ServiceCatalogueData {
        let items = try parseItems(itemsJSON)
        let known = Set(items.map(\.code))
        let hallRows = try parseHalls(halls, divisions: divisions)
        let published = try parsePublications(publications, halls: Set(hallRows.map(\.division)))
        let checker = CatalogueDrift.Checker(items)
        for (line, publication) in published {
            if let drift = checker.drifts(of: publication).first {
                throw SeedError(file: "service-publications.csv", line: line, reason: "三级四同: \(drift)")
            }
        }
        guard published.contains(where: { $0.publication.division == ServiceCatalogue.province }) else {
            throw SeedError(file: "service-publications.csv", line: 0, reason: "the province (\(ServiceCatalogue.province)) publishes nothing")
        }
        let provinceCodes = Set(published.filter { $0.publication.division == ServiceCatalogue.province }.map(\.publication.attributes.code))
        if let missing = known.subtracting(provinceCodes).sorted().first {
            throw SeedError(file: "service-publications.csv", line: 0, reason: "item \(missing) is not published at province level")
        }
        return ServiceCatalogueData(items: items, publications: published.map(\.publication), halls: hallRows)
    }

    static func parseItems(_ data: Data) throws -> [ServiceItem] {
        let file = "service-items.json"
        let rows: [ItemFile]
        do { rows = try JSONDecoder().decode([ItemFile].self, from: data) } catch {
            throw SeedError(file: file, line: 0, reason: "not a list of items: \(error)")
        }
        var seen: Set<String> = []
        return try rows.enumerated().map { index, row in
            func fail(_ reason: String) -> SeedError { SeedError(file: file, line: index + 1, reason: "item \(row.code): \(reason)") }
            guard ServiceCatalogue.isItemCode(row.code) else { throw fail("code must be like MZ-01-001") }
            guard seen.insert(row.code).inserted else { throw fail("code given twice") }
            guard let topic = ServiceTopic(rawValue: row.topic) else { throw fail("unknown topic \(row.topic)") }
            guard itemTypes.contains(row.type) else { throw fail("unknown type \(row.type)") }
            guard !row.name.isEmpty, !row.legalBasis.isEmpty else { throw fail("name and legal basis are required") }
            let guide = row.guide
            guard guide.statutoryDays >= 0, (0...guide.statutoryDays).contains(guide.promisedDays) else {
                throw fail("promised days must be between 0 and the statutory days")
            }
            guard !guide.conditions.isEmpty, !guide.materials.isEmpty, !guide.steps.isEmpty else { throw fail("a guide needs conditions, materials and steps") }
            guard guide.materials.allSatisfy({ ["original", "copy"].contains($0.form) && $0.count > 0 }) else {
                throw fail("a material is an original or a copy, at least one")
            }
            return ServiceItem(topic: topic, attributes: SharedAttributes(code: row.code, type: row.type, name: row.name, legalBasis: row.legalBasis),
                               guide: guide)
        }
    }

    static func parseHalls(_ text: String, divisions: Set<DivisionCode>) throws -> [ServiceHall] {
        let file = "service-halls.csv"
        var seen: Set<DivisionCode> = []
        return try records(file, text).map { line, row in
            guard let division = DivisionCode(row["division_code"] ?? ""), divisions.contains(division), division.level != .township else {
                throw SeedError(file: file, line: line, reason: "unknown division, or a township")
            }
            guard seen.insert(division).inserted else { throw SeedError(file: file, line: line, reason: "division given twice") }
            let name = row["name"] ?? "", address = row["address"] ?? "", phone = row["phone"] ?? "", hours = row["hours"] ?? ""
            guard !name.isEmpty, !address.isEmpty, !phone.isEmpty, !hours.isEmpty else {
                throw SeedError(file: file, line: line, reason: "name, address, phone and hours are required")
            }
            return ServiceHall(division: division, name: name, address: address, phone: phone, hours: hours)
        }
    }

    static func parsePublications(_ text: String, halls: Set<DivisionCode>) throws -> [(line: Int, publication: ServicePublication)] {
        let file = "service-publications.csv"
        var seen: Set<String> = []
        return try records(file, text).map { line, row in
            guard let division = DivisionCode(row["division_code"] ?? ""), halls.contains(division) else {
                throw SeedError(file: file, line: line, reason: "a division without a row in service-halls.csv")
            }
            let attributes = SharedAttributes(code: row["item_code"] ?? "", type: row["type"] ?? "", name: row["name"] ?? "",
                                              legalBasis: row["legal_basis"] ?? "")
            guard seen.insert("\(division):\(attributes.code)").inserted else { throw SeedError(file: file, line: line, reason: "item published twice by one level") }
            return (line, ServicePublication(division: division, attributes: attributes, window: row["window"] ?? ""))
        }
    }

    private static func records(_ file: String, _ text: String) throws -> [(line: Int, values: [String: String])] {
        do { return try CSVTable(parsing: text).records() } catch { throw SeedError(file: file, line: error.line, reason: error.reason) }
    }
}
