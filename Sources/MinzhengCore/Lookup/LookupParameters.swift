import Foundation

/// The query parameters of `GET /v1/directory/{type}`, checked. Shared by the generated handler and the
/// hand-rendered route so both refuse the same input with the same words.
public struct DirectorySearchParameters: Sendable {
    public let query: DirectoryQuery
    public let page: PageRequest

    public init(type: String, division: String?, q: String?, near: String?, radiusKm: Double?, limit: Int?, cursor: String?) throws(DomainError) {
        var search = DirectoryQuery(type: type)
        if let division { search.division = try Validate.divisionCode(division, parameter: "division") }
        if let q { search.name = try Validate.name(q, parameter: "q") }
        if let near {
            guard let point = GeoPoint(parsing: near) else {
                throw .invalidParameter("near", "must be LAT,LNG in degrees, e.g. 32.0415,118.7781")
            }
            search.near = point
        }
        if let radiusKm {
            guard search.near != nil else { throw .invalidParameter("radius_km", "needs near") }
            guard radiusKm > 0, radiusKm <= DirectoryQuery.maxRadiusKm else {
                throw .invalidParameter("radius_km", "must be greater than 0 and at most \(Int(DirectoryQuery.maxRadiusKm))")
            }
            search.radiusMetres = radiusKm * 1000
        }
        self.query = search
        self.page = try PageRequest.parse(limit: limit, cursor: cursor)
    }
}

/// Checks of query and path values shared by the handlers.
public enum Validate {
    public static let maxNameLength = 50

    public static func divisionCode(_ text: String, parameter: String) throws(DomainError) -> DivisionCode {
        guard let code = DivisionCode(text) else {
            throw .invalidParameter(parameter, "must be a division code of 2, 4, 6 or 9 digits, e.g. 3201")
        }
        return code
    }

    public static func name(_ text: String, parameter: String) throws(DomainError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .invalidParameter(parameter, "must not be empty") }
        guard trimmed.count <= maxNameLength else { throw .invalidParameter(parameter, "must be at most \(maxNameLength) characters") }
        return trimmed
    }

    public static func integer(_ text: Substring?, parameter: String) throws(DomainError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw .invalidParameter(parameter, "must be an integer") }
        return value
    }

    public static func number(_ text: Substring?, parameter: String) throws(DomainError) -> Double? {
        guard let text else { return nil }
        guard let value = Double(text), value.isFinite else { throw .invalidParameter(parameter, "must be a number") }
        return value
    }
}
