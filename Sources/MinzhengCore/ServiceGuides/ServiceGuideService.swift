import Foundation
import Synchronization

/// The service catalogue as citizens query it: loaded from the store into memory (it changes with an import, not
/// with traffic).
public final class ServiceGuideService: Sendable {
    private let store: any ServiceCatalogueStore
    /// Whether a code names a real division (the shipped division list): a made-up code under a province is not
    /// answered with that province's catalogue.
    private let isDivision: @Sendable (DivisionCode) -> Bool
    private let current = Mutex(ServiceCatalogue(.empty))

    public init(store: any ServiceCatalogueStore, isDivision: @escaping @Sendable (DivisionCode) -> Bool) {
        self.store = store
        self.isDivision = isDivision
    }

    public var catalogue: ServiceCatalogue { current.withLock { $0 } }

    public func reload() async throws {
        let loaded = ServiceCatalogue(try await store.serviceCatalogue())
        current.withLock { $0 = loaded }
    }

    public func items(division: String?, text: String?, topic: String?) throws(DomainError) -> [ServiceCatalogue.PublishedItem] {
        // Empty parameters count as absent, as `division` and `topic` do.
        var needle: String?
        if let text, !text.trimmingCharacters(in: .whitespaces).isEmpty { needle = try Validate.name(text, parameter: "q") }
        return try catalogue.items(division: try self.division(division), text: needle, topic: try Self.topic(topic))
    }

    public func item(code: String, division: String?) throws(DomainError) -> ServiceCatalogue.PublishedItem {
        try catalogue.item(code: code, division: try self.division(division))
    }

    func division(_ text: String?) throws(DomainError) -> DivisionCode? {
        guard let text, !text.isEmpty else { return nil }
        let code = try Validate.divisionCode(text, parameter: "division")
        guard isDivision(code) else {
            throw DomainError(.notFound, code: "division_not_found", title: "未找到该行政区划", detail: "no division \(code)")
        }
        return code
    }

    static func topic(_ text: String?) throws(DomainError) -> ServiceTopic? {
        guard let text, !text.isEmpty else { return nil }
        guard let topic = ServiceTopic(rawValue: text) else {
            throw .invalidParameter("topic", "one of \(ServiceTopic.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return topic
    }
}
