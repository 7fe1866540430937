import Foundation

/// One place in the directory: a registry office, a relief station, a funeral home, ...
public struct DirectoryEntry: Sendable, Hashable {
    public let id: Int64
    public let type: String
    public let name: String
    public let divisionCode: DivisionCode
    public let address: String
    /// WGS-84.
    public let location: GeoPoint
    public let phone: String?
    public let openingHours: String?
    public let services: [String]
    public let updatedAt: Date

    public init(
        id: Int64, type: String, name: String, divisionCode: DivisionCode, address: String, location: GeoPoint,
        phone: String?, openingHours: String?, services: [String], updatedAt: Date
    ) {
        self.id = id
        self.type = type
        self.name = name
        self.divisionCode = divisionCode
        self.address = address
        self.location = location
        self.phone = phone
        self.openingHours = openingHours
        self.services = services
        self.updatedAt = updatedAt
    }
}
