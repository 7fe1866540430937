import Foundation
import MinzhengCore

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

    /// `MINZHENG_TEST_BACKEND=postgres`: the server tests' worlds run on PostgreSQL at `MINZHENG_TEST_DATABASE_URL`
    /// (each world in a database of its own) instead of SQLite. `make test` runs the server suites both ways.
    public static var postgresURLForWorlds: String? {
        let environment = ProcessInfo.processInfo.environment
        guard environment["MINZHENG_TEST_BACKEND"] == "postgres" else { return nil }
        // Asked for PostgreSQL without a server: stop, rather than pass on SQLite.
        guard let url = environment["MINZHENG_TEST_DATABASE_URL"] else { fatalError("MINZHENG_TEST_BACKEND=postgres needs MINZHENG_TEST_DATABASE_URL") }
        return url
    }

    /// A new database (or schema) name for one test's data in PostgreSQL.
    public static func freshDatabaseName() -> String {
        "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// A valid Unified Social Credit Code that begins with `body` (16 characters): its two check characters (the
    /// organisation code's, then the whole code's) found by trying each until `CreditCode` accepts one.
    public static func creditCode(_ body: String) -> String {
        precondition(body.count == 16, "a credit code's body is 16 characters, not \(body.count)")
        for organisationCheck in "0123456789X" {
            for check in "0123456789ABCDEFGHJKLMNPQRTUWXY" where (try? CreditCode(body + String(organisationCheck) + String(check))) != nil {
                return body + String(organisationCheck) + String(check)
            }
        }
        fatalError("no check characters for \(body)")
    }

    /// A code that begins with `body` (16 characters) and passes the 18th character's check but not the
    /// organisation code's (the 17th): one imported before that check was made.
    public static func creditCodeFailingOnlyTheOrganisationCheck(_ body: String) -> String {
        precondition(body.count == 16, "a credit code's body is 16 characters, not \(body.count)")
        for organisationCheck in "0123456789X" {
            for check in "0123456789ABCDEFGHJKLMNPQRTUWXY" {
                let code = body + String(organisationCheck) + String(check)
                if (try? CreditCode(code)) == nil, (try? CreditCode(code, checkingOrganisationCode: false)) != nil { return code }
            }
        }
        fatalError("no such code for \(body)")
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

/// Valid resident ID numbers for tests, with the GB 11643 check character computed here, independently of
/// the product's code.
public enum TestIDs {
    /// `address` (6 digits) + `birth` (YYYYMMDD) + `sequence` (3 digits: odd = male) + check character.
    public static func make(address: String = "320102", birth: String, sequence: Int) -> String {
        let body = address + birth + String(format: "%03d", sequence)
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { $0 + Int(String($1.0))! * $1.1 }
        return body + String(Array("10X98765432")[sum % 11])
    }

    /// A man and a woman, both of marriageable age in the 2020s, distinct for each `n`.
    public static func couple(_ n: Int, address: String = "320102") -> (man: String, woman: String) {
        let year = 1970 + n % 25, month = 1 + (n / 25) % 12, day = 1 + (n / 300) % 28
        let birth = String(format: "%04d%02d%02d", year, month, day)
        let sequence = (n / 8400) % 400
        return (make(address: address, birth: birth, sequence: sequence * 2 + 1), make(address: address, birth: birth, sequence: sequence * 2 + 2))
    }
}
