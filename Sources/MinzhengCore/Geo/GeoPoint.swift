import Foundation

/// A WGS-84 coordinate.
public struct GeoPoint: Sendable, Hashable {
    public let lat: Double
    public let lng: Double

    public init?(lat: Double, lng: Double) {
        guard lat.isFinite, lng.isFinite, (-90...90).contains(lat), (-180...180).contains(lng) else { return nil }
        self.lat = lat
        self.lng = lng
    }

    /// Parses `LAT,LNG` as sent in a `near` parameter.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2,
            let lat = Double(parts[0].trimmingCharacters(in: .whitespaces)),
            let lng = Double(parts[1].trimmingCharacters(in: .whitespaces))
        else { return nil }
        self.init(lat: lat, lng: lng)
    }

    /// Mean Earth radius (IUGG), metres.
    public static let earthRadius = 6_371_008.8

    /// Great-circle distance in metres (haversine).
    public func distance(to other: GeoPoint) -> Double { Ruler(from: self).metres(to: other, cosLatitude: other.cosLatitude) }

    /// Distances from one point to many, each point's cosine of latitude computed once ahead (`cosLatitude`):
    /// a radius search measures thousands of candidates.
    public struct Ruler: Sendable {
        let lat: Double, lng: Double, cosLat: Double

        public init(from centre: GeoPoint) {
            lat = centre.lat
            lng = centre.lng
            cosLat = cos(centre.lat * .pi / 180)
        }

        /// Haversine, as `GeoPoint.distance`, with the point's latitude cosine given.
        public func metres(to point: GeoPoint, cosLatitude: Double) -> Double {
            let sinHalfLat = sin((point.lat - lat) * .pi / 360)
            let sinHalfLng = sin((point.lng - lng) * .pi / 360)
            let a = sinHalfLat * sinHalfLat + cosLat * cosLatitude * sinHalfLng * sinHalfLng
            return 2 * GeoPoint.earthRadius * asin(min(1, sqrt(a)))
        }
    }

    public var cosLatitude: Double { cos(lat * .pi / 180) }

    /// The latitude/longitude box that holds every point within `metres` of this one.
    public func boundingBox(metres: Double) -> (minLat: Double, maxLat: Double, minLng: Double, maxLng: Double) {
        let dLat = metres / Self.earthRadius * 180 / .pi
        let minLat = max(-90, lat - dLat), maxLat = min(90, lat + dLat)
        // Longitude degrees shrink with latitude; use the widest latitude of the box.
        let widest = max(abs(minLat), abs(maxLat))
        guard widest < 89.9 else { return (minLat, maxLat, -180, 180) }
        let dLng = dLat / cos(widest * .pi / 180)
        return (minLat, maxLat, max(-180, lng - dLng), min(180, lng + dLng))
    }
}
