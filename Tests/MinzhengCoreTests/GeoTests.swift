import Foundation
import MinzhengCore
import MinzhengTesting
import Testing

@Suite struct GeoTests {
    @Test func parsesLatLng() throws {
        let point = try #require(GeoPoint(parsing: "32.0415, 118.7781"))
        #expect(point.lat == 32.0415 && point.lng == 118.7781)
    }

    @Test(arguments: ["", "32", "32,", ",118", "a,b", "91,0", "0,181", "32,118,1", "nan,1", "inf,1"])
    func refusesMalformedPoints(text: String) {
        #expect(GeoPoint(parsing: text) == nil)
    }

    @Test func distanceAgreesWithAnIndependentHaversine() throws {
        // 南京 新街口 to 上海 人民广场: about 270 km.
        let nanjing = try #require(GeoPoint(lat: 32.0415, lng: 118.7781))
        let shanghai = try #require(GeoPoint(lat: 31.2304, lng: 121.4737))
        let expected = Fixtures.haversineMetres(32.0415, 118.7781, 31.2304, 121.4737)
        #expect(abs(nanjing.distance(to: shanghai) - expected) < 0.01)
        #expect((265_000...275_000).contains(expected))
        #expect(nanjing.distance(to: nanjing) == 0)
    }

    @Test func boundingBoxHoldsTheCircle() throws {
        let centre = try #require(GeoPoint(lat: 34.2, lng: 117.2))
        let box = centre.boundingBox(metres: 50_000)
        // Points 50 km due north, south, east and west lie inside the box.
        let degrees: Double = 50_000 / 6_371_008.8 * 180 / Double.pi * 0.999
        let shrink: Double = cos(34.2 * Double.pi / 180)
        for bearing in stride(from: 0.0, to: 360, by: 15) {
            let radians: Double = bearing * Double.pi / 180
            let dLat: Double = degrees * cos(radians)
            let dLng: Double = degrees * sin(radians) / shrink
            #expect((box.minLat...box.maxLat).contains(34.2 + dLat))
            #expect((box.minLng...box.maxLng).contains(117.2 + dLng))
        }
    }
}
