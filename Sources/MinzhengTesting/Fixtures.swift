import Foundation

/// Paths and scratch space shared by the test targets.
public enum Fixtures {
    /// The repository's root, found from this file's location.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The real seed files the service ships.
    public static var seedDirectory: URL { repositoryRoot.appendingPathComponent("seed-data") }

    /// A new empty directory under the system's temporary directory.
    public static func temporaryDirectory(_ label: String = "minzheng-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Great-circle distance in metres computed independently of the product's code, to check it.
    public static func haversineMetres(_ lat1: Double, _ lng1: Double, _ lat2: Double, _ lng2: Double) -> Double {
        let r = 6_371_008.8
        let toRadians = Double.pi / 180
        let dLat = (lat2 - lat1) * toRadians, dLng = (lng2 - lng1) * toRadians
        let h = pow(sin(dLat / 2), 2) + cos(lat1 * toRadians) * cos(lat2 * toRadians) * pow(sin(dLng / 2), 2)
        return 2 * r * atan2(sqrt(h), sqrt(1 - h))
    }
}
