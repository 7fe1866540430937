import Synchronization

/// Serves look-ups from an in-memory `LookupCatalog` loaded from the store, and loads a new one after
/// the data changes. Readers never wait for a reload: they keep the snapshot they took.
public final class LookupService: Sendable {
    private let store: any LookupStore
    private let current: Mutex<LookupCatalog>

    public init(store: any LookupStore) {
        self.store = store
        self.current = Mutex(.empty)
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
