import Foundation

/// A fixed grid over latitude and longitude (0.1° cells, about 11 km): the positions of the points in each
/// cell, so that a radius search reads only the cells its bounding box touches.
struct GeoGrid: Sendable {
    private static let cellDegrees = 0.1
    private struct Cell: Hashable { let lat: Int32, lng: Int32 }
    private let cells: [Cell: [Int]]

    init(points: [GeoPoint]) {
        var cells: [Cell: [Int]] = [:]
        for (position, point) in points.enumerated() { cells[Self.cell(point.lat, point.lng), default: []].append(position) }
        self.cells = cells
    }

    /// Positions of every point that may lie within `metres` of `centre` (a superset; the caller measures).
    func candidates(near centre: GeoPoint, metres: Double) -> [Int] {
        let box = centre.boundingBox(metres: metres)
        let low = Self.cell(box.minLat, box.minLng), high = Self.cell(box.maxLat, box.maxLng)
        var found: [Int] = []
        for lat in low.lat...high.lat {
            for lng in low.lng...high.lng { found.append(contentsOf: cells[Cell(lat: lat, lng: lng)] ?? []) }
        }
        return found
    }

    private static func cell(_ lat: Double, _ lng: Double) -> Cell {
        Cell(lat: Int32((lat / cellDegrees).rounded(.down)), lng: Int32((lng / cellDegrees).rounded(.down)))
    }
}
