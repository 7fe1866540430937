import Foundation

/// A spatial index: points sorted by grid cell (0.02°, about 2 km, by default), cells numbered row by row, so
/// the cells of one latitude row that a search box touches are one contiguous run, found by binary search.
/// A radius search reads only the points in the box around its circle.
struct GeoGrid: Sendable {
    private static let columnsPerRow: Int64 = 400_000  // more than 360° / the finest cell

    private let cellDegrees: Double
    private let keys: [Int64]  // ascending
    private let positions: [Int32]  // positions[i] is the point whose cell is keys[i]

    /// `cellDegrees`: finer cells for denser data (fewer points outside the search's circle are read).
    init(points: [GeoPoint], cellDegrees: Double = 0.02) {
        self.cellDegrees = cellDegrees
        let sorted = points.enumerated().map { (Self.key(Self.row($1.lat, cellDegrees), Self.column($1.lng, cellDegrees)), Int32($0)) }
            .sorted { $0 < $1 }
        keys = sorted.map(\.0)
        positions = sorted.map(\.1)
    }

    /// Positions of the points inside `box` or in its border cells (a superset; the caller measures).
    func candidates(in box: (minLat: Double, maxLat: Double, minLng: Double, maxLng: Double)) -> [Int] {
        var found: [Int] = []
        let firstColumn = Self.column(box.minLng, cellDegrees), lastColumn = Self.column(box.maxLng, cellDegrees)
        for row in Self.row(box.minLat, cellDegrees)...Self.row(box.maxLat, cellDegrees) {
            let start = lowerBound(Self.key(row, firstColumn))
            let end = lowerBound(Self.key(row, lastColumn) + 1)
            for index in start..<end { found.append(Int(positions[index])) }
        }
        return found
    }

    private static func row(_ lat: Double, _ cellDegrees: Double) -> Int64 { Int64((lat / cellDegrees).rounded(.down)) }
    private static func column(_ lng: Double, _ cellDegrees: Double) -> Int64 { Int64(((lng + 180) / cellDegrees).rounded(.down)) }
    private static func key(_ row: Int64, _ column: Int64) -> Int64 { row * columnsPerRow + column }

    private func lowerBound(_ key: Int64) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
