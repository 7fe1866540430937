import Foundation

/// All registered social organisations in memory, immutable: by code for verification, sorted by code for
/// paging, and a character index for name searches. Swapped whole after an import.
public struct SocialOrgRegistry: Sendable {
    private let organisations: [SocialOrg]  // by code
    private let positionByCode: [String: Int]
    private let names: NameIndex
    /// Identifies this registry (a new one after every import), for anything derived from it.
    public let generation = Generation.next()

    public init(_ organisations: [SocialOrg]) {
        self.organisations = organisations.sorted { $0.code.value < $1.code.value }
        positionByCode = Dictionary(uniqueKeysWithValues: self.organisations.enumerated().map { ($1.code.value, $0) })
        names = NameIndex(names: self.organisations.map(\.name))
    }

    public var count: Int { organisations.count }
    public var all: [SocialOrg] { organisations }

    public func organisation(_ code: CreditCode) -> SocialOrg? { organisation(code: code.value) }

    func organisation(code: String) -> SocialOrg? { positionByCode[code].map { organisations[$0] } }

    public struct Query: Sendable {
        public var name: String?
        public var kind: SocialOrg.Kind?
        public var status: SocialOrg.Status?
        public var division: DivisionCode?

        public init(name: String? = nil, kind: SocialOrg.Kind? = nil, status: SocialOrg.Status? = nil, division: DivisionCode? = nil) {
            self.name = name
            self.kind = kind
            self.status = status
            self.division = division
        }
    }

    /// Organisations matching every given filter, by credit code; the cursor key is the last code.
    public func search(_ query: Query, page: PageRequest) throws(DomainError) -> Page<SocialOrg> {
        var start = 0
        if let after = try Self.resume(from: page.after) {
            start = lowerBound(after + "\u{7F}")  // just past the last code shown
        }
        let matches: (SocialOrg) -> Bool = { organisation in
            (query.kind == nil || organisation.kind == query.kind) && (query.status == nil || organisation.status == query.status)
                && (query.division.map { $0.contains(organisation.division) } ?? true)
                && (query.name.map { organisation.name.contains($0) } ?? true)
        }
        var found: [SocialOrg] = []
        if let name = query.name {
            let candidates = names.candidates(for: name)
            var index = candidates.partitionPoint { $0 >= start }
            while index < candidates.count, found.count <= page.limit {
                let organisation = organisations[candidates[index]]
                if matches(organisation) { found.append(organisation) }
                index += 1
            }
        } else {
            var position = start
            while position < organisations.count, found.count <= page.limit {
                if matches(organisations[position]) { found.append(organisations[position]) }
                position += 1
            }
        }
        return Page(rows: found, limit: page.limit, item: { $0 }, cursor: { Self.cursor(after: $0.code.value) })
    }

    /// The last code of the previous page, from its cursor.
    static func resume(from cursor: PageCursor?) throws(DomainError) -> String? {
        guard let cursor else { return nil }
        guard cursor.id == 0, !cursor.key.isEmpty, cursor.key.count <= 18, cursor.key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .invalidParameter("cursor", "belongs to another kind of search")
        }
        return cursor.key
    }

    static func cursor(after code: String) -> PageCursor { PageCursor(key: code, id: 0) }

    private func lowerBound(_ code: String) -> Int {
        organisations.partitionPoint { $0.code.value >= code }
    }
}

extension RandomAccessCollection where Index == Int {
    /// The first index whose element satisfies `isAtOrAfter` (false, then true, along the collection).
    func partitionPoint(_ isAtOrAfter: (Element) -> Bool) -> Int {
        var low = startIndex, high = endIndex
        while low < high {
            let middle = (low + high) / 2
            if isAtOrAfter(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
