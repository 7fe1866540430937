import MinzhengAPI
import MinzhengCore

/// Divisions and the directory: public look-ups served from the in-memory catalogue (searched in PostgreSQL with
/// `MINZHENG_SEARCH=database`).
extension APIHandler {
    func searchDivisions(_ input: Operations.SearchDivisions.Input) async throws -> Operations.SearchDivisions.Output {
        let name = try Validate.name(input.query.q, parameter: "q")
        let page = try PageRequest.parse(limit: input.query.limit, cursor: input.query.cursor)
        let level = input.query.level.flatMap { DivisionLevel(rawValue: $0.rawValue) }
        let found = try await lookups.searchDivisions(name: name, level: level, page: page)
        return .ok(.init(body: .json(.init(found))))
    }

    func getDivision(_ input: Operations.GetDivision.Input) async throws -> Operations.GetDivision.Output {
        let code = try Validate.divisionCode(input.path.code, parameter: "code")
        guard let division = lookups.catalog.division(code) else { throw DomainError.notFound("no division with code \(code)") }
        return .ok(.init(body: .json(.init(division))))
    }

    func listDivisionChildren(_ input: Operations.ListDivisionChildren.Input) async throws -> Operations.ListDivisionChildren.Output {
        let code = try Validate.divisionCode(input.path.code, parameter: "code")
        let page = try PageRequest.parse(limit: input.query.limit, cursor: input.query.cursor)
        guard let children = try lookups.catalog.children(of: code, page: page) else {
            throw DomainError.notFound("no division with code \(code)")
        }
        return .ok(.init(body: .json(.init(children))))
    }

    func listResourceTypes(_ input: Operations.ListResourceTypes.Input) async throws -> Operations.ListResourceTypes.Output {
        let catalog = lookups.catalog
        let items = catalog.resourceTypes.map {
            Components.Schemas.ResourceType(_type: $0.slug, name: $0.name, count: Int64(catalog.entryCount(of: $0.slug)))
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func searchDirectory(_ input: Operations.SearchDirectory.Input) async throws -> Operations.SearchDirectory.Output {
        let query = input.query
        let parameters = try DirectorySearchParameters(
            type: input.path._type, division: query.division, q: query.q, near: query.near, radiusKm: query.radiusKm,
            limit: query.limit, cursor: query.cursor)
        guard let (found, _) = try await lookups.search(parameters.query, page: parameters.page) else {
            throw DomainError.notFound("no resource type \(input.path._type)")
        }
        return .ok(.init(body: .json(.init(found))))
    }

    func getDirectoryEntry(_ input: Operations.GetDirectoryEntry.Input) async throws -> Operations.GetDirectoryEntry.Output {
        let catalog = lookups.catalog
        guard catalog.resourceType(input.path._type) != nil else { throw DomainError.notFound("no resource type \(input.path._type)") }
        guard let entry = catalog.entry(type: input.path._type, id: input.path.id) else {
            throw DomainError.notFound("no \(input.path._type) with id \(input.path.id)")
        }
        return .ok(.init(body: .json(.init(DirectoryHit(entry: entry, distanceMetres: nil)))))
    }
}
