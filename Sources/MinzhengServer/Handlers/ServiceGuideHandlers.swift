import MinzhengAPI
import MinzhengCore

/// The service catalogue: the items a division publishes, and one guide as it publishes it. Public.
extension APIHandler {
    func listServiceItems(_ input: Operations.ListServiceItems.Input) async throws -> Operations.ListServiceItems.Output {
        let query = input.query
        let items = try serviceGuides.items(division: query.division, text: query.q, topic: query.topic)
        return .ok(.init(body: .json(.init(items: items.map(Components.Schemas.ServiceItemSummary.init)))))
    }

    func getServiceGuide(_ input: Operations.GetServiceGuide.Input) async throws -> Operations.GetServiceGuide.Output {
        let published = try serviceGuides.item(code: input.path.itemCode, division: input.query.division)
        let guide = published.item.guide
        let hall = published.hall
        return .ok(.init(body: .json(.init(
            item: .init(code: published.levelAttributes.code, _type: published.levelAttributes.type, name: published.levelAttributes.name,
                        legalBasis: published.levelAttributes.legalBasis),
            topic: published.item.topic.rawValue,
            guide: .init(
                conditions: guide.conditions,
                materials: guide.materials.map {
                    .init(name: $0.name, form: .init(rawValue: $0.form) ?? .original, count: $0.count, licenceLibrary: $0.licenceLibrary)
                },
                steps: guide.steps, statutoryDays: guide.statutoryDays, promisedDays: guide.promisedDays, fee: guide.fee,
                online: .init(guide.online), onlineLabel: guide.online.label, faqs: guide.faqs.map { .init(q: $0.q, a: $0.a) }),
            local: .init(divisionCode: hall.division.rawValue, divisionName: lookups.catalog.division(hall.division)?.name, hall: hall.name,
                         address: hall.address, phone: hall.phone, hours: hall.hours, window: published.publication.window)))))
    }
}

extension Components.Schemas.ServiceItemSummary {
    init(_ published: ServiceCatalogue.PublishedItem) {
        let attributes = published.levelAttributes, guide = published.item.guide
        self.init(code: attributes.code, _type: attributes.type, name: attributes.name, legalBasis: attributes.legalBasis,
                  topic: published.item.topic.rawValue, online: .init(guide.online), onlineLabel: guide.online.label,
                  statutoryDays: guide.statutoryDays, promisedDays: guide.promisedDays, divisionCode: published.publication.division.rawValue)
    }
}

extension Components.Schemas.OnlineAvailability {
    init(_ online: MinzhengCore.OnlineAvailability) {
        self = Self(rawValue: online.rawValue) ?? .inPerson
    }
}
