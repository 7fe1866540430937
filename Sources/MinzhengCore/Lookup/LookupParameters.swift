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
        search.near = try near.map(Validate.near)
        if let radiusKm { search.radiusMetres = try Validate.radiusMetres(radiusKm, near: search.near, maxKm: DirectoryQuery.maxRadiusKm) }
        self.query = search
        self.page = try PageRequest.parse(limit: limit, cursor: cursor)
    }
}

/// Checks of query and path values shared by the handlers.
public enum Validate {
    public static let maxNameLength = 50

    /// A reason people will read (a closure's, a reveal's, a rejection's): trimmed, `length` characters, and no
    /// control characters (NUL above all, which PostgreSQL's text refuses).
    public static func reason(_ text: String, length: ClosedRange<Int>) throws(DomainError) -> String {
        let reason = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard length.contains(reason.count), !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidParameter("reason", "say why, in \(length.lowerBound) to \(length.upperBound) characters, without control characters")
        }
        return reason
    }

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

    public static func near(_ text: String) throws(DomainError) -> GeoPoint {
        guard let point = GeoPoint(parsing: text) else { throw .invalidParameter("near", "must be LAT,LNG in degrees, e.g. 32.0415,118.7781") }
        return point
    }

    /// A `radius_km` in metres; it needs `near`.
    public static func radiusMetres(_ km: Double, near: GeoPoint?, maxKm: Double) throws(DomainError) -> Double {
        guard near != nil else { throw .invalidParameter("radius_km", "needs near") }
        guard km > 0, km <= maxKm else { throw .invalidParameter("radius_km", "must be greater than 0 and at most \(Int(maxKm))") }
        return km * 1000
    }

    /// One of an enumeration's raw values.
    public static func oneOf<Value: RawRepresentable & CaseIterable>(_ text: String, parameter: String) throws(DomainError) -> Value
        where Value.RawValue == String
    {
        guard let value = Value(rawValue: text) else {
            throw .invalidParameter(parameter, "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    public static func integer(_ text: Substring?, parameter: String) throws(DomainError) -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw .invalidParameter(parameter, "must be an integer") }
        return value
    }

    public static func boolean(_ text: Substring?, parameter: String) throws(DomainError) -> Bool? {
        switch text {
        case nil: return nil
        case "true": return true
        case "false": return false
        default: throw .invalidParameter(parameter, "must be true or false")
        }
    }

    public static func number(_ text: Substring?, parameter: String) throws(DomainError) -> Double? {
        guard let text else { return nil }
        guard let value = Double(text), value.isFinite else { throw .invalidParameter(parameter, "must be a number") }
        return value
    }
}
