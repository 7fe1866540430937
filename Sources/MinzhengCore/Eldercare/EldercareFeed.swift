import Foundation

/// Eldercare facilities from CSV (the seed file and the generator's benchmark sets). Columns:
/// `id,name,division_code,address,lat,lng,nature,beds_total,beds_free,care_levels,medical,star,price_min,
/// price_max,phone,updated_at`; `care_levels` is `;`-separated. See seed-data/README.md.
public struct EldercareFeed: Sendable {
    public static let columns = ["id", "name", "division_code", "address", "lat", "lng", "nature", "beds_total", "beds_free",
                                 "care_levels", "medical", "star", "price_min", "price_max", "phone", "updated_at"]

    public let facilities: [EldercareFacility]
    public let rejections: [DataFeed.Rejection]

    public init(csv text: String, divisions: Set<DivisionCode>) {
        self.init(DataFeed.records(text, columns: Self.columns), divisions: divisions)
    }

    public init(data: Data, divisions: Set<DivisionCode>) {
        self.init(DataFeed.records(data, columns: Self.columns), divisions: divisions)
    }

    private init(_ read: Result<[(line: Int, values: [String: String])], DataFeed.Rejection>, divisions: Set<DivisionCode>) {
        var facilities: [EldercareFacility] = []
        var rejections: [DataFeed.Rejection] = []
        switch read {
        case .failure(let rejection):
            rejections.append(rejection)
        case .success(let records):
            var seen = Set<Int64>()
            for (line, row) in records {
                do throws(DataFeed.Problem) {
                    let facility = try Self.facility(row, divisions: divisions)
                    guard seen.insert(facility.id).inserted else { throw .init("id \(facility.id) appears twice") }
                    facilities.append(facility)
                } catch {
                    rejections.append(.init(line: line, reason: error.reason))
                }
            }
        }
        self.facilities = facilities
        self.rejections = rejections
    }

    static func facility(_ row: [String: String], divisions: Set<DivisionCode>) throws(DataFeed.Problem) -> EldercareFacility {
        typealias Problem = DataFeed.Problem
        func field(_ name: String) -> String { (row[name] ?? "").trimmingCharacters(in: .whitespaces) }
        func number(_ name: String, _ range: ClosedRange<Int>) throws(Problem) -> Int {
            guard let value = Int(field(name)), range.contains(value) else { throw Problem("\(name) must be a whole number in \(range)") }
            return value
        }
        guard let id = Int64(field("id")), id > 0 else { throw Problem("id must be a positive whole number") }
        let name = field("name")
        guard (2...100).contains(name.count) else { throw Problem("name must be 2 to 100 characters") }
        guard let division = DivisionCode(field("division_code")), divisions.contains(division) else {
            throw Problem("division_code \(field("division_code")) is not a known division")
        }
        guard let lat = Double(field("lat")), let lng = Double(field("lng")), let location = GeoPoint(lat: lat, lng: lng) else {
            throw Problem("lat and lng must be WGS-84 degrees")
        }
        guard let nature = EldercareFacility.Nature(rawValue: field("nature")) else { throw Problem("nature is not one of public, private, public_built_private_run") }
        let bedsTotal = try number("beds_total", 0...100_000)
        let bedsFree = try number("beds_free", 0...bedsTotal)
        var levels: [EldercareFacility.CareLevel] = []
        for text in field("care_levels").split(separator: ";") {
            guard let level = EldercareFacility.CareLevel(rawValue: String(text)) else { throw Problem("care_levels: unknown level \(text)") }
            levels.append(level)
        }
        guard !levels.isEmpty else { throw Problem("care_levels must name at least one level") }
        guard let medical = EldercareFacility.Medical(rawValue: field("medical")) else { throw Problem("medical is not one of onsite_clinic, partner_clinic, none") }
        let star = try number("star", 0...5)
        let priceMin = try number("price_min", 0...1_000_000)
        let priceMax = try number("price_max", priceMin...1_000_000)
        guard let updatedAt = try? Date.ISO8601FormatStyle().parse(field("updated_at")) else { throw Problem("updated_at must be an ISO 8601 time") }
        return EldercareFacility(
            id: id, name: name, division: division, address: field("address"), location: location, nature: nature, bedsTotal: bedsTotal,
            bedsFree: bedsFree, careLevels: EldercareFacility.CareLevel.allCases.filter(levels.contains), medical: medical, star: star,
            priceMin: priceMin, priceMax: priceMax, phone: field("phone"), updatedAt: updatedAt, pinyin: NamePinyin(of: name))
    }
}

extension EldercareFeed {
    public static func load(_ file: URL, divisions: Set<DivisionCode>) throws -> EldercareFeed {
        EldercareFeed(data: try Data(contentsOf: file), divisions: divisions)
    }
}
