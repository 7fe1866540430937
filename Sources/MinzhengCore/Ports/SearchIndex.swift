/// Searches that a database answers with its own indexes (PostgreSQL: trigrams and grams for names, GiST for places)
/// instead of the in-memory catalogues: what matches is read from the database's copy of the data (free beds
/// included, as reported a moment ago through any process), while what is shown still comes from the catalogues.
///
/// Each method returns at most `count` rows in the catalogue search's own order, starting after `after`; the
/// services make pages and cursors of them and take what a page shows from their catalogues. The answers must equal
/// the catalogues' on the same data: `SearchIndexContract` compares them query by query.
public protocol SearchIndex: Sendable {
    func directory(_ query: DirectoryQuery, after: DirectoryQuery.Resume?, count: Int) async throws -> [DirectoryQuery.Row]
    /// Division codes in code order.
    func divisions(name: String, level: DivisionLevel?, after: DivisionCode?, count: Int) async throws -> [DivisionCode]
    /// Credit codes in code order, past `after` and every code that begins with it (`SocialOrgRegistry.search`).
    func socialOrgs(_ query: SocialOrgRegistry.Query, after: String?, count: Int) async throws -> [String]
    func eldercare(_ query: EldercareQuery, after: EldercareQuery.Resume?, count: Int) async throws -> [EldercareQuery.Row]
}

extension DirectoryQuery {
    /// Where a page of a directory search ends: (division code, id) for a listing, (distance, id) near a point.
    public enum Resume: Sendable, Equatable {
        case division(String, id: Int64)
        case distance(millimetres: Int64, id: Int64)
    }

    /// One entry found, with what orders it.
    public struct Row: Sendable, Equatable {
        public let id: Int64
        public let divisionCode: String
        /// The distance from `near`, rounded to millimetres (the order and the cursor); nil without `near`.
        public let millimetres: Int64?

        public init(id: Int64, divisionCode: String, millimetres: Int64?) {
            self.id = id
            self.divisionCode = divisionCode
            self.millimetres = millimetres
        }
    }
}

extension EldercareQuery {
    /// Where a page ends: the sort key (`EldercareCatalog.sortKey`) and the id of its last facility.
    public struct Resume: Sendable, Equatable {
        public let key: Int64
        public let id: Int64
    }

    /// One facility found: its sort key, its free beds now, and its distance in metres when searched near a point.
    public struct Row: Sendable, Equatable {
        public let id: Int64
        public let key: Int64
        public let bedsFree: Int
        public let metres: Double?

        public init(id: Int64, key: Int64, bedsFree: Int, metres: Double?) {
            self.id = id
            self.key = key
            self.bedsFree = bedsFree
            self.metres = metres
        }
    }
}
