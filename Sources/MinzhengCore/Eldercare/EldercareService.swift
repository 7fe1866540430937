import Foundation
import Synchronization

/// Eldercare facilities: search, one facility, and staff keeping free beds up to date.
public final class EldercareService: Sendable {
    public static let maxRadiusKm = 50.0

    private struct Snapshot: Sendable {
        var catalog: EldercareCatalog
        /// Free beds by catalogue position, changed in place as staff report them.
        var beds: [Int]
    }

    private let store: any EldercareStore
    /// Where searches run with `MINZHENG_SEARCH=database` (PostgreSQL); nil: in `snapshot`.
    private let index: (any SearchIndex)?
    private let snapshot: Mutex<Snapshot>
    private let now: @Sendable () -> Date
    /// The store's data-set version the catalogue was loaded at.
    private let loadedVersion = Mutex<Int64>(-1)

    public init(store: any EldercareStore, index: (any SearchIndex)? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.index = index
        self.now = now
        snapshot = Mutex(Snapshot(catalog: EldercareCatalog([]), beds: []))
    }

    public func reload() async throws {
        let version = try await store.version()
        let catalog = EldercareCatalog(try await store.facilities())
        snapshot.withLock { $0 = Snapshot(catalog: catalog, beds: catalog.facilities.map(\.bedsFree)) }
        loadedVersion.withLock { $0 = version }
    }

    /// Reloads when an import changed the facilities; says whether it did.
    public func reloadIfChanged() async throws -> Bool {
        guard try await store.version() != loadedVersion.withLock({ $0 }) else { return false }
        try await reload()
        return true
    }

    public func search(_ query: EldercareQuery, page: PageRequest) async throws -> Page<EldercareHit> {
        try await searchWithCatalog(query, page: page).page
    }

    /// The page and the catalogue it came from (whose `generation` names anything pre-rendered from it).
    public func searchWithCatalog(_ query: EldercareQuery, page: PageRequest) async throws -> (page: Page<EldercareHit>, catalog: EldercareCatalog) {
        let current = snapshot.withLock { $0 }
        guard let index else { return (try current.catalog.search(query, beds: current.beds, page: page), current.catalog) }
        let catalog = current.catalog
        let after = try EldercareCatalog.resume(from: page.after, sort: query.sort)
        let rows = try await index.eldercare(query, after: after, count: page.limit + 1)
        let found = Page(rows: rows, limit: page.limit, item: { row in
            // The database's free beds: another process may have just been told of a change.
            catalog.position(of: row.id).map {
                EldercareHit(facility: catalog.facilities[$0], bedsFree: row.bedsFree, distanceMetres: row.metres.map { Int64($0.rounded()) })
            }
        }, cursor: { EldercareCatalog.cursor(after: $0.key, id: $0.id, sort: query.sort) })
        return (found, catalog)
    }

    public var catalog: EldercareCatalog { snapshot.withLock { $0.catalog } }

    public func facility(id: Int64) throws(DomainError) -> EldercareHit {
        let current = snapshot.withLock { $0 }
        guard let position = current.catalog.position(of: id) else { throw .notFound("no eldercare facility \(id)") }
        return EldercareHit(facility: current.catalog.facilities[position], bedsFree: current.beds[position], distanceMetres: nil)
    }

    /// Staff of the facility's division report its free beds; audited. Anyone else's facility is "not found".
    public func setFreeBeds(id: Int64, to free: Int, by staff: StaffMember) async throws -> EldercareHit {
        let current = try facility(id: id)
        guard staff.mayManage(current.facility.division) else { throw DomainError.notFound("no eldercare facility \(id)") }
        let at = now()
        // Judged inside the write against the stored total: an import may just have changed it.
        let check: @Sendable (Int) throws -> Void = { total in
            guard (0...total).contains(free) else { throw Self.bedsOutOfRange(total: total) }
        }
        let before = try await store.setFreeBeds(id: id, to: free, check: check) { before in
            AuditRecord(staffID: staff.id, action: "eldercare.beds_free", target: "eldercare:\(id)", at: at,
                        before: "{\"beds_free\":\(before)}", after: "{\"beds_free\":\(free)}")
        }
        guard before != nil else { throw DomainError.notFound("no eldercare facility \(id)") }
        snapshot.withLock { snapshot in
            if let position = snapshot.catalog.position(of: id) { snapshot.beds[position] = free }
        }
        return try facility(id: id)
    }
}

extension EldercareService {
    static func bedsOutOfRange(total: Int) -> DomainError {
        DomainError(.unprocessable, code: "beds_free_out_of_range", title: "空余床位数超出范围", detail: "beds_free must be 0 to beds_total (\(total))")
    }
}

/// Where eldercare facilities are kept.
public protocol EldercareStore: Sendable {
    func facilities() async throws -> [EldercareFacility]
    /// Changes whenever the facilities change: an import, or free beds reported (so that other processes on the same
    /// database reload within their watcher's interval).
    func version() async throws -> Int64
    /// In one transaction: lets `check` refuse against the stored total, sets the free beds and writes
    /// `audit(before)`; the count before, or nil when there is no such facility.
    func setFreeBeds(id: Int64, to free: Int, check: @escaping @Sendable (_ bedsTotal: Int) throws -> Void,
                     audit: @escaping @Sendable (Int) -> AuditRecord) async throws -> Int?
}

/// A store that also takes feeds: whole files (`minzheng import`) and the shipped seed file once per content.
public protocol EldercareFeedStore: EldercareStore {
    /// Adds new facilities and replaces stored ones (which keep their free beds), in one transaction.
    func upsert(_ facilities: [EldercareFacility]) async throws
    @discardableResult
    func importSeed(checksum: String, _ parse: () throws -> [EldercareFacility]) async throws -> Bool
}
