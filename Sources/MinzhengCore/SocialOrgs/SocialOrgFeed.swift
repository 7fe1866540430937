import Foundation

/// A province's data feed of social organisations (CSV), read and checked row by row. Columns:
/// `credit_code,name,org_type,status,authority,division_code,registered_on,legal_representative,address,phone,
/// inspections,list_entries` — `inspections` is `YEAR:RESULT;...` (`pass`, `basic_pass`, `fail`), `list_entries`
/// is `LIST:YYYY-MM-DD:REASON|...` (`irregular_activity`, `serious_dishonesty`). See seed-data/README.md.
public struct SocialOrgFeed: Sendable {
    public typealias Rejection = DataFeed.Rejection
    typealias FeedProblem = DataFeed.Problem

    public static let columns = ["credit_code", "name", "org_type", "status", "authority", "division_code", "registered_on",
                                 "legal_representative", "address", "phone", "inspections", "list_entries"]

    public let organisations: [SocialOrg]
    /// Every row that could not be taken, with its line; an import takes all rows or none.
    public let rejections: [Rejection]

    /// `divisions`: the division codes that exist; an organisation must belong to one of them. `registered`: codes
    /// already stored, which may come again though they fail the organisation-code check (imported before it).
    public init(csv text: String, divisions: Set<DivisionCode>, registered: Set<CreditCode> = []) {
        self.init(DataFeed.records(text, columns: Self.columns), divisions: divisions, registered: registered)
    }

    public init(data: Data, divisions: Set<DivisionCode>, registered: Set<CreditCode> = []) {
        self.init(DataFeed.records(data, columns: Self.columns), divisions: divisions, registered: registered)
    }

    private init(_ read: Result<[(line: Int, values: [String: String])], Rejection>, divisions: Set<DivisionCode>, registered: Set<CreditCode>) {
        var organisations: [SocialOrg] = []
        var rejections: [Rejection] = []
        switch read {
        case .failure(let rejection):
            rejections.append(rejection)
        case .success(let records):
            var seen: [String: Int] = [:]
            for (line, row) in records {
                do throws(FeedProblem) {
                    let organisation = try Self.organisation(row, divisions: divisions, registered: registered)
                    if let first = seen[organisation.code.value] {
                        throw FeedProblem("credit_code \(organisation.code) already on line \(first)")
                    }
                    seen[organisation.code.value] = line
                    organisations.append(organisation)
                } catch {
                    rejections.append(Rejection(line: line, reason: error.reason))
                }
            }
        }
        self.organisations = organisations
        self.rejections = rejections
    }

    static func organisation(_ row: [String: String], divisions: Set<DivisionCode>, registered: Set<CreditCode>) throws(FeedProblem) -> SocialOrg {
        func field(_ name: String) -> String { (row[name] ?? "").trimmingCharacters(in: .whitespaces) }
        let code: CreditCode
        do { code = try CreditCode(field("credit_code")) } catch {
            // A status change of an organisation registered before the organisation-code check must still arrive.
            guard case .organisationCheck = error, let known = try? CreditCode(field("credit_code"), checkingOrganisationCode: false),
                  registered.contains(known)
            else { throw FeedProblem("credit_code: \(error.explanation)") }
            code = known
        }
        guard code.registrationAuthority == "5" else { throw FeedProblem("credit_code: not issued by a civil-affairs authority (first character 5)") }
        let name = field("name")
        guard (2...100).contains(name.count) else { throw FeedProblem("name must be 2 to 100 characters") }
        guard let kind = SocialOrg.Kind(rawValue: field("org_type")) else {
            throw FeedProblem("org_type must be one of \(SocialOrg.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard code.category == kind.category else {
            throw FeedProblem("credit_code category \(code.category) does not fit org_type \(kind.rawValue) (\(kind.category))")
        }
        guard let status = SocialOrg.Status(rawValue: field("status")) else {
            throw FeedProblem("status must be one of \(SocialOrg.Status.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let division = DivisionCode(field("division_code")), divisions.contains(division) else {
            throw FeedProblem("division_code \(field("division_code")) is not a known division")
        }
        guard code.divisionCode.hasPrefix(division.rawValue), code.divisionCode.dropFirst(division.rawValue.count).allSatisfy({ $0 == "0" }) else {
            throw FeedProblem("credit_code division \(code.divisionCode) does not match division_code \(division)")
        }
        let authority = field("authority")
        guard (2...60).contains(authority.count) else { throw FeedProblem("authority must be 2 to 60 characters") }
        guard let registeredOn = LocalDate(iso: field("registered_on")) else { throw FeedProblem("registered_on must be YYYY-MM-DD") }
        let representative = field("legal_representative")
        guard (1...30).contains(representative.count) else { throw FeedProblem("legal_representative must be 1 to 30 characters") }
        return SocialOrg(
            code: code, name: name, kind: kind, status: status, authority: authority, division: division, registeredOn: registeredOn,
            legalRepresentative: representative, address: field("address"), phone: field("phone"),
            inspections: try inspections(field("inspections")), listEntries: try listEntries(field("list_entries")))
    }

    static func inspections(_ text: String) throws(FeedProblem) -> [SocialOrg.Inspection] {
        guard !text.isEmpty else { return [] }
        var inspections: [SocialOrg.Inspection] = []
        for item in text.split(separator: ";") {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let year = Int(parts[0]), (1980...2100).contains(year),
                let result = SocialOrg.Inspection.Result(rawValue: String(parts[1]))
            else { throw FeedProblem("inspections: '\(item)' is not YEAR:pass|basic_pass|fail") }
            guard inspections.last.map({ $0.year < year }) ?? true else { throw FeedProblem("inspections: years must ascend without repeats") }
            inspections.append(.init(year: year, result: result))
        }
        return inspections
    }

    static func listEntries(_ text: String) throws(FeedProblem) -> [SocialOrg.ListEntry] {
        guard !text.isEmpty else { return [] }
        var entries: [SocialOrg.ListEntry] = []
        for item in text.split(separator: "|") {
            let parts = item.split(separator: ":", maxSplits: 2)
            guard parts.count == 3, let list = SocialOrg.ListEntry.List(rawValue: String(parts[0])),
                let date = LocalDate(iso: String(parts[1])), !parts[2].isEmpty
            else { throw FeedProblem("list_entries: '\(item)' is not LIST:YYYY-MM-DD:REASON") }
            entries.append(.init(list: list, date: date, reason: String(parts[2])))
        }
        return entries.sorted { $0.date < $1.date }
    }
}

extension SocialOrgFeed {
    /// The feed's compact forms, also how the stores keep these lists.
    public static func text(_ inspections: [SocialOrg.Inspection]) -> String {
        inspections.map { "\($0.year):\($0.result.rawValue)" }.joined(separator: ";")
    }

    public static func text(_ entries: [SocialOrg.ListEntry]) -> String {
        entries.map { "\($0.list.rawValue):\($0.date):\($0.reason)" }.joined(separator: "|")
    }

    public static func parseInspections(_ text: String) -> [SocialOrg.Inspection]? { try? inspections(text) }
    public static func parseListEntries(_ text: String) -> [SocialOrg.ListEntry]? { try? listEntries(text) }

    /// Reads a feed file; the divisions are those the organisations may belong to.
    public static func load(_ file: URL, divisions: Set<DivisionCode>, registered: Set<CreditCode> = []) throws -> SocialOrgFeed {
        try SocialOrgFeed(data: Data(contentsOf: file), divisions: divisions, registered: registered)
    }
}
