import Foundation
import MinzhengAPI
import MinzhengCore

// Domain -> API types for the look-ups.

extension Components.Schemas.Division {
    init(_ division: Division) {
        self.init(
            code: division.code.rawValue, name: division.name,
            level: Components.Schemas.DivisionLevel(rawValue: division.level.rawValue) ?? .township,
            parentCode: division.parentCode?.rawValue, functionalZone: division.functionalZone)
    }
}

extension Components.Schemas.DivisionPage {
    init(_ page: Page<Division>) {
        self.init(items: page.items.map(Components.Schemas.Division.init), nextCursor: page.next?.token)
    }
}

extension Components.Schemas.DirectoryEntry {
    init(_ hit: DirectoryHit) {
        let entry = hit.entry
        self.init(
            id: entry.id, _type: entry.type, name: entry.name, divisionCode: entry.divisionCode.rawValue,
            address: entry.address, location: .init(lat: entry.location.lat, lng: entry.location.lng),
            phone: entry.phone, openingHours: entry.openingHours, services: entry.services,
            updatedAt: entry.updatedAt, distanceM: hit.distanceMetres)
    }
}

extension Components.Schemas.DirectoryPage {
    init(_ page: Page<DirectoryHit>) {
        self.init(items: page.items.map(Components.Schemas.DirectoryEntry.init), nextCursor: page.next?.token)
    }
}
