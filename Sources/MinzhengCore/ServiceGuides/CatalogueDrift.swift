import Foundation

/// A shared attribute that one level publishes differently from the province: a breach of 三级四同.
public struct CatalogueDrift: Sendable, Equatable, CustomStringConvertible {
    /// The item's code as the province publishes it.
    public let itemCode: String
    /// The level that differs (the province is the other level).
    public let division: DivisionCode
    /// "type", "name", "code" or "legal_basis".
    public let attribute: String
    public let provinceValue: String
    public let levelValue: String

    public var description: String {
        "item \(itemCode): \(attribute) differs between province \(ServiceCatalogue.province) (\(provinceValue)) and \(division) (\(levelValue))"
    }

    /// Every difference between the levels' publications and the province's items. A publication under a code the
    /// province does not have is the province item of the same name published under another code (attribute
    /// "code"), or, if no item has its name, a drift of every attribute of an unknown item.
    public static func find(items: [ServiceItem], publications: [ServicePublication]) -> [CatalogueDrift] {
        let byCode = Dictionary(items.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let byName = Dictionary(items.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var drifts: [CatalogueDrift] = []
        for publication in publications {
            let own = publication.attributes
            guard let item = byCode[own.code] ?? byName[own.name] else {
                drifts.append(CatalogueDrift(itemCode: own.code, division: publication.division, attribute: "code",
                                             provinceValue: "（无此事项）", levelValue: own.code))
                continue
            }
            for attribute in SharedAttributes.names where item.attributes.value(of: attribute) != own.value(of: attribute) {
                drifts.append(CatalogueDrift(itemCode: item.code, division: publication.division, attribute: attribute,
                                             provinceValue: item.attributes.value(of: attribute), levelValue: own.value(of: attribute)))
            }
        }
        return drifts.sorted { ($0.itemCode, $0.division.rawValue, $0.attribute) < ($1.itemCode, $1.division.rawValue, $1.attribute) }
    }
}
