import Synchronization

/// Serves look-ups from an in-memory `LookupCatalog` loaded from the store, and loads a new one after
/// the data changes. Readers never wait for a reload: they keep the snapshot they took.
/// With a `SearchIndex` (PostgreSQL), searches run in the database and the catalogue only renders what they find.
public final class LookupService: Sendable {
    private let store: any LookupStore
    private let index: (any SearchIndex)?
    private let current: Mutex<LookupCatalog>

    public init(store: any LookupStore, index: (any SearchIndex)? = nil) {
        self.store = store
        self.index = index
        self.current = Mutex(.empty)
    }

    /// Entries of one type, and the catalogue that shows them; nil when the type is unknown.
    public func search(_ query: DirectoryQuery, page: PageRequest) async throws -> (page: Page<DirectoryHit>, catalog: LookupCatalog)? {
        let catalog = self.catalog
        guard let index else { return try catalog.search(query, page: page).map { ($0, catalog) } }
        guard catalog.resourceType(query.type) != nil else { return nil }
        let rows = try await index.directory(query, after: try query.resume(from: page.after), count: page.limit + 1)
        let found = Page(rows: rows, limit: page.limit, item: { row in
            catalog.entry(type: query.type, id: row.id).map { DirectoryHit(entry: $0, distanceMetres: row.millimetres.map { ($0 + 500) / 1000 }) }
        }, cursor: DirectoryQuery.cursor(after:))
        return (found, catalog)
    }

    /// Divisions whose name contains `name`, by code.
    public func searchDivisions(name: String, level: DivisionLevel?, page: PageRequest) async throws -> Page<Division> {
        let catalog = self.catalog
        guard let index else { return try catalog.searchDivisions(name: name, level: level, page: page) }
        let codes = try await index.divisions(name: name, level: level, after: try LookupCatalog.resume(from: page.after), count: page.limit + 1)
        return Page(rows: codes, limit: page.limit, item: catalog.division, cursor: LookupCatalog.cursor(after:))
    }

    /// The snapshot one request works on from start to end (see `pin`), so that its ETag and body agree.
    @TaskLocal static var pinned: LookupCatalog?

    /// The snapshot pinned for this request, else the newest.
    public var catalog: LookupCatalog { Self.pinned ?? current.withLock { $0 } }

    /// Runs `body` with `catalog` answering one snapshot throughout.
    public func pin<T>(_ snapshot: LookupCatalog, _ body: () async throws -> T) async rethrows -> T {
        try await Self.$pinned.withValue(snapshot, operation: body)
    }

    /// Reads everything from the store and swaps the snapshot in.
    public func reload() async throws {
        async let divisions = store.divisions()
        async let types = store.resourceTypes()
        async let entries = store.directoryEntries()
        let fresh = try await LookupCatalog(divisions: divisions, resourceTypes: types, entries: entries)
        current.withLock { $0 = fresh }
    }

    public func checkReady() async throws(DomainError) {
        do { try await store.ping() } catch { throw .unavailable("the database cannot be reached") }
    }
}

extension LookupService: OfficeDirectory {
    /// Every marriage registry of the directory is a bookable office.
    public func registry(_ id: Int64) -> RegistryOffice? {
        catalog.entry(type: "marriage-registry", id: id).map { RegistryOffice(id: $0.id, name: $0.name, division: $0.divisionCode) }
    }
}
