import MinzhengAPI
import MinzhengCore

/// Eldercare facilities: search and one facility (public), free beds (staff of the facility's division).
extension APIHandler {
    func searchEldercareFacilities(_ input: Operations.SearchEldercareFacilities.Input) async throws -> Operations.SearchEldercareFacilities.Output {
        let query = input.query
        let search = try EldercareQuery.parse(
            near: query.near, radiusKm: query.radiusKm, division: query.division, name: query.q,
            careLevels: (query.careLevel ?? []).map(\.rawValue), nature: query.nature?.rawValue, minStar: query.minStar,
            maxMonthlyPrice: query.maxMonthlyPrice, hasFreeBeds: query.hasFreeBeds, sort: query.sort?.rawValue)
        let page = try await eldercare.search(search, page: try PageRequest.parse(limit: query.limit, cursor: query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.EldercareFacility.init), nextCursor: page.next?.token))))
    }

    func getEldercareFacility(_ input: Operations.GetEldercareFacility.Input) async throws -> Operations.GetEldercareFacility.Output {
        .ok(.init(body: .json(.init(try eldercare.facility(id: input.path.id)))))
    }

    func updateEldercareFacility(_ input: Operations.UpdateEldercareFacility.Input) async throws -> Operations.UpdateEldercareFacility.Output {
        let staff = try caller.requireStaff()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        return .ok(.init(body: .json(.init(try await eldercare.setFreeBeds(id: input.path.id, to: body.bedsFree, by: staff)))))
    }
}

extension Components.Schemas.EldercareFacility {
    init(_ hit: EldercareHit) {
        let facility = hit.facility
        self.init(
            id: facility.id, name: facility.name, divisionCode: facility.division.rawValue, address: facility.address,
            location: .init(lat: facility.location.lat, lng: facility.location.lng),
            nature: .init(rawValue: facility.nature.rawValue) ?? ._private, bedsTotal: facility.bedsTotal, bedsFree: hit.bedsFree,
            careLevels: facility.careLevels.compactMap { .init(rawValue: $0.rawValue) },
            medical: .init(rawValue: facility.medical.rawValue) ?? .none, star: facility.star,
            monthlyPrice: .init(min: facility.priceMin, max: facility.priceMax), phone: facility.phone.isEmpty ? nil : facility.phone,
            updatedAt: facility.updatedAt, distanceM: hit.distanceMetres)
    }
}
