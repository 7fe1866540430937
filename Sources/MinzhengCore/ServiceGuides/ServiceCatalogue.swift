import Foundation

/// The catalogue in memory, as citizens query it: which items a division publishes, and one item's guide with that
/// division's local facts. A division that publishes nothing itself (a township, a development zone) is served by
/// the nearest level above it that does.
public struct ServiceCatalogue: Sendable {
    /// The province whose catalogue this is; it publishes every item.
    public static let province = DivisionCode(unchecked: "32")

    /// An item as one level publishes it: the province's topic and guide (`item`), the level's own copy of the four
    /// shared attributes, its window and its hall.
    public struct PublishedItem: Sendable, Equatable {
        public let item: ServiceItem
        public let publication: ServicePublication
        public let hall: ServiceHall
        /// The four attributes as this level publishes them (equal to `item.attributes` unless the levels drifted).
        public var levelAttributes: SharedAttributes { publication.attributes }
    }

    private let items: [String: ServiceItem]
    /// Each level's publications, in item-code order.
    private let publications: [DivisionCode: [ServicePublication]]
    private let halls: [DivisionCode: ServiceHall]

    public init(_ data: ServiceCatalogueData) {
        items = Dictionary(data.items.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        publications = Dictionary(grouping: data.publications, by: \.division).mapValues { $0.sorted { $0.attributes.code < $1.attributes.code } }
        halls = Dictionary(data.halls.map { ($0.division, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public static func isItemCode(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 9, bytes[0] == UInt8(ascii: "M"), bytes[1] == UInt8(ascii: "Z"), bytes[2] == UInt8(ascii: "-"),
              bytes[5] == UInt8(ascii: "-") else { return false }
        return [3, 4, 6, 7, 8].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[$0]) }
    }

    /// The level that publishes for `division`: itself, or the nearest one above it.
    public func publishingLevel(for division: DivisionCode) -> DivisionCode? {
        var level: DivisionCode? = division
        while let current = level {
            if publications[current] != nil, halls[current] != nil { return current }
            level = current.parent
        }
        return nil
    }

    /// The items `division` publishes, of `topic`, whose name (or code) contains `text`.
    public func items(division: DivisionCode?, text: String?, topic: ServiceTopic?) throws(DomainError) -> [PublishedItem] {
        let level = try level(for: division)
        let needle = text?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return (publications[level] ?? []).compactMap { publication in
            guard let found = published(publication) else { return nil }
            if let topic, found.item.topic != topic { return nil }
            if !needle.isEmpty, !publication.attributes.name.lowercased().contains(needle), !publication.attributes.code.lowercased().contains(needle) {
                return nil
            }
            return found
        }
    }

    /// One item as `division` publishes it.
    public func item(code: String, division: DivisionCode?) throws(DomainError) -> PublishedItem {
        let level = try level(for: division)
        let wanted = code.uppercased()
        guard let publication = publications[level]?.first(where: { $0.attributes.code == wanted }), let found = published(publication) else {
            throw DomainError(.notFound, code: "service_item_not_found", title: "未找到该办事事项",
                              detail: "\(level) publishes no item \(code)")
        }
        return found
    }

    private func published(_ publication: ServicePublication) -> PublishedItem? {
        guard let item = items[publication.attributes.code], let hall = halls[publication.division] else { return nil }
        return PublishedItem(item: item, publication: publication, hall: hall)
    }

    private func level(for division: DivisionCode?) throws(DomainError) -> DivisionCode {
        guard let division else { return Self.province }
        guard let level = publishingLevel(for: division) else {
            throw DomainError(.notFound, code: "division_not_published", title: "该地区暂未发布民政服务事项",
                              detail: "no level at or above \(division) publishes the catalogue")
        }
        return level
    }
}
