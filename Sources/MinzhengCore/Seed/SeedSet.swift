import Crypto
import Foundation

/// The look-up data shipped in `seed-data/`, read and checked: divisions, resource types and directory
/// entries. `checksum` identifies the files' content, so that importing the same set twice changes nothing.
public struct SeedSet: Sendable {
    public let divisions: [Division]
    public let resourceTypes: [ResourceType]
    public let entries: [DirectoryEntry]
    /// Statutory holidays and make-up working days.
    public let calendar: [CalendarDay]
    public let checksum: String

    public init(divisions: [Division], resourceTypes: [ResourceType], entries: [DirectoryEntry], calendar: [CalendarDay], checksum: String) {
        self.divisions = divisions
        self.resourceTypes = resourceTypes
        self.entries = entries
        self.calendar = calendar
        self.checksum = checksum
    }

    public static let fileNames = ["divisions.csv", "resource-types.csv", "directory.csv", "calendar.csv"]

    /// Reads the seed files in `directory`. Every row is checked; the first bad one stops the load.
    public static func load(from directory: URL) throws -> SeedSet {
        var hasher = SHA256()
        var texts: [String: String] = [:]
        for name in fileNames {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            hasher.update(data: data)
            guard let text = String(data: data, encoding: .utf8) else { throw SeedError(file: name, line: 0, reason: "not UTF-8") }
            texts[name] = text
        }
        let checksum = Array(hasher.finalize()).hexString
        let divisions = try parseDivisions(texts["divisions.csv"] ?? "")
        let types = try parseResourceTypes(texts["resource-types.csv"] ?? "")
        let entries = try parseEntries(texts["directory.csv"] ?? "", divisions: Set(divisions.map(\.code)), types: Set(types.map(\.slug)))
        let calendar = try parseCalendar(texts["calendar.csv"] ?? "")
        return SeedSet(divisions: divisions, resourceTypes: types, entries: entries, calendar: calendar, checksum: checksum)
    }

    static func parseDivisions(_ text: String) throws -> [Division] {
        try records("divisions.csv", text).map { line, row in
            guard let code = DivisionCode(row["code"] ?? "") else { throw SeedError(file: "divisions.csv", line: line, reason: "bad code") }
            guard let name = row["name"], !name.isEmpty else { throw SeedError(file: "divisions.csv", line: line, reason: "empty name") }
            return Division(code: code, name: name, functionalZone: row["functional_zone"] == "1")
        }
    }

    static func parseResourceTypes(_ text: String) throws -> [ResourceType] {
        try records("resource-types.csv", text).map { line, row in
            guard let slug = row["slug"], !slug.isEmpty, let name = row["name"], !name.isEmpty else {
                throw SeedError(file: "resource-types.csv", line: line, reason: "slug and name are required")
            }
            return ResourceType(slug: slug, name: name)
        }
    }

    static func parseCalendar(_ text: String) throws -> [CalendarDay] {
        try records("calendar.csv", text).map { line, row in
            guard let date = LocalDate(iso: row["date"] ?? ""), let kind = WorkCalendar.DayKind(rawValue: row["kind"] ?? "") else {
                throw SeedError(file: "calendar.csv", line: line, reason: "date must be YYYY-MM-DD and kind holiday or workday")
            }
            return CalendarDay(date: date, kind: kind, name: row["name"] ?? "")
        }
    }

    static func parseEntries(_ text: String, divisions: Set<DivisionCode>, types: Set<String>) throws -> [DirectoryEntry] {
        let file = "directory.csv"
        return try records(file, text).map { line, row in
            func fail(_ reason: String) -> SeedError { SeedError(file: file, line: line, reason: reason) }
            guard let id = Int64(row["id"] ?? ""), id > 0 else { throw fail("bad id") }
            guard let type = row["type"], types.contains(type) else { throw fail("unknown type") }
            guard let code = DivisionCode(row["division_code"] ?? ""), divisions.contains(code) else { throw fail("unknown division") }
            guard let lat = Double(row["lat"] ?? ""), let lng = Double(row["lng"] ?? ""), let location = GeoPoint(lat: lat, lng: lng) else {
                throw fail("bad coordinates")
            }
            guard let name = row["name"], !name.isEmpty else { throw fail("empty name") }
            guard let updatedAt = try? Date(row["updated_at"] ?? "", strategy: .iso8601) else { throw fail("bad updated_at") }
            let services = (row["services"] ?? "").split(separator: ";").map(String.init)
            return DirectoryEntry(
                id: id, type: type, name: name, divisionCode: code, address: row["address"] ?? "", location: location,
                phone: row["phone"].flatMap { $0.isEmpty ? nil : $0 }, openingHours: row["opening_hours"].flatMap { $0.isEmpty ? nil : $0 },
                services: services, updatedAt: updatedAt)
        }
    }

    private static func records(_ file: String, _ text: String) throws -> [(line: Int, values: [String: String])] {
        do { return try CSVTable(parsing: text).records() } catch { throw SeedError(file: file, line: error.line, reason: error.reason) }
    }
}

/// A day the calendar treats specially: a statutory holiday or a make-up working day.
public struct CalendarDay: Sendable, Equatable {
    public let date: LocalDate
    public let kind: WorkCalendar.DayKind
    public let name: String

    public init(date: LocalDate, kind: WorkCalendar.DayKind, name: String) {
        self.date = date
        self.kind = kind
        self.name = name
    }
}

public struct SeedError: Error, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let reason: String
    public var description: String { "\(file) line \(line): \(reason)" }

    public init(file: String, line: Int, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
}

/// Writes a seed set into a database.
public protocol SeedStore: Sendable {
    /// Imports `seed` unless the same set (by checksum) was imported before; returns whether it wrote.
    @discardableResult
    func importSeed(_ seed: SeedSet) async throws -> Bool
}
