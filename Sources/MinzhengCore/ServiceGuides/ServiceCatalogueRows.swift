import Foundation

/// The catalogue's rows as both stores keep them (plain columns, the guide as JSON), read back into domain values.
public enum ServiceCatalogueRows {
    public static func guideJSON(_ guide: ServiceGuide) throws -> String {
        String(decoding: try JSONEncoder().encode(guide), as: UTF8.self)
    }

    public static func item(code: String, topic: String, type: String, name: String, legalBasis: String, guide: String) throws -> ServiceItem {
        guard let topic = ServiceTopic(rawValue: topic) else { throw UnreadableRow("service item \(code) has topic \(topic)") }
        return ServiceItem(topic: topic, attributes: SharedAttributes(code: code, type: type, name: name, legalBasis: legalBasis),
                           guide: try JSONDecoder().decode(ServiceGuide.self, from: Data(guide.utf8)))
    }

    public static func publication(division: String, code: String, type: String, name: String, legalBasis: String, window: String) throws
        -> ServicePublication {
        guard let division = DivisionCode(division) else { throw UnreadableRow("service publication of \(code) has division \(division)") }
        return ServicePublication(division: division, attributes: SharedAttributes(code: code, type: type, name: name, legalBasis: legalBasis),
                                  window: window)
    }

    public static func hall(division: String, name: String, address: String, phone: String, hours: String) throws -> ServiceHall {
        guard let division = DivisionCode(division) else { throw UnreadableRow("service hall has division \(division)") }
        return ServiceHall(division: division, name: name, address: address, phone: phone, hours: hours)
    }
}
