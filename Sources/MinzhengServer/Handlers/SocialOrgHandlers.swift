import MinzhengAPI
import MinzhengCore

/// Social organisations: verification, search, one by code. Public.
extension APIHandler {
    func verifySocialOrg(_ input: Operations.VerifySocialOrg.Input) async throws -> Operations.VerifySocialOrg.Output {
        let verification = try socialOrgs.verify(code: input.query.code, name: input.query.name)
        return .ok(.init(body: .json(.init(
            code: verification.code.value, found: verification.organisation != nil, nameMatches: verification.nameMatches,
            organization: verification.organisation.map(Components.Schemas.SocialOrg.init),
            warnings: verification.warnings.map { .init(code: $0.code, message: $0.message) }))))
    }

    func searchSocialOrgs(_ input: Operations.SearchSocialOrgs.Input) async throws -> Operations.SearchSocialOrgs.Output {
        let query = input.query
        let page = try await socialOrgs.search(name: query.q, kind: query._type?.rawValue, status: query.status?.rawValue, division: query.division,
                                         page: try PageRequest.parse(limit: query.limit, cursor: query.cursor))
        return .ok(.init(body: .json(.init(items: page.items.map(Components.Schemas.SocialOrg.init), nextCursor: page.next?.token))))
    }

    func getSocialOrg(_ input: Operations.GetSocialOrg.Input) async throws -> Operations.GetSocialOrg.Output {
        .ok(.init(body: .json(.init(try socialOrgs.organisation(code: input.path.code)))))
    }
}

extension Components.Schemas.SocialOrg {
    /// The public form: the legal representative masked, the five latest inspections, latest first.
    init(_ organisation: SocialOrg) {
        self.init(
            code: organisation.code.value, name: organisation.name, _type: .init(rawValue: organisation.kind.rawValue) ?? .socialGroup,
            typeLabel: organisation.kind.label, status: .init(rawValue: organisation.status.rawValue) ?? .active,
            statusLabel: organisation.status.label, registrationAuthority: organisation.authority,
            divisionCode: organisation.division.rawValue, registeredOn: organisation.registeredOn.description,
            legalRepresentative: Masking.name(organisation.legalRepresentative), address: organisation.address,
            inspections: organisation.inspections.suffix(5).reversed().map {
                .init(year: $0.year, result: .init(rawValue: $0.result.rawValue) ?? .pass, label: $0.result.label)
            },
            listEntries: organisation.listEntries.map {
                .init(list: .init(rawValue: $0.list.rawValue) ?? .irregularActivity, label: $0.list.label, date: $0.date.description,
                      reason: $0.reason)
            })
    }
}
