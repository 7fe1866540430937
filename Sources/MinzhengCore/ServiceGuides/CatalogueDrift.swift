import Foundation

/// A shared attribute that one level publishes differently from the province: a breach of 三级四同.
public struct CatalogueDrift: Sendable, Equatable, CustomStringConvertible {
    /// The item's code as the province publishes it.
    public let itemCode: String
    /// The level that differs (the province is the other level).
    public let division: DivisionCode
    public let attribute: SharedAttributes.Attribute
    public let provinceValue: String
    public let levelValue: String

    public var description: String {
        "item \(itemCode): \(attribute.rawValue) differs between province \(ServiceCatalogue.province) (\(provinceValue)) and \(division) (\(levelValue))"
    }

    /// Every difference between the levels' publications and the province's items.
    public static func find(items: [ServiceItem], publications: [ServicePublication]) -> [CatalogueDrift] {
        let checker = Checker(items)
        return publications.flatMap(checker.drifts)
            .sorted { ($0.itemCode, $0.division.rawValue, $0.attribute.rawValue) < ($1.itemCode, $1.division.rawValue, $1.attribute.rawValue) }
    }

    /// Compares publications with the province's items, one at a time.
    struct Checker {
        let byCode: [String: ServiceItem]
        let byName: [String: ServiceItem]

        init(_ items: [ServiceItem]) {
            byCode = Dictionary(items.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
            byName = Dictionary(items.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        }

        /// A publication under a code the province does not have is the province item of the same name published
        /// under another code (attribute "code"), or, if no item has its name, an item the province does not have.
        func drifts(of publication: ServicePublication) -> [CatalogueDrift] {
            let own = publication.attributes
            guard let item = byCode[own.code] ?? byName[own.name] else {
                return [CatalogueDrift(itemCode: own.code, division: publication.division, attribute: .code, provinceValue: "（无此事项）",
                                       levelValue: own.code)]
            }
            return SharedAttributes.Attribute.allCases.filter { item.attributes.value(of: $0) != own.value(of: $0) }.map {
                CatalogueDrift(itemCode: item.code, division: publication.division, attribute: $0, provinceValue: item.attributes.value(of: $0),
                               levelValue: own.value(of: $0))
            }
        }
    }
}
