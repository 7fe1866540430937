import Foundation
import MinzhengCore

/// What every look-up store must do: import the shipped seed set once, and answer it back exactly.
public enum LookupStoreContract {
    public static func run(_ store: any LookupStore & SeedStore) async throws {
        func check(_ condition: Bool, _ promise: String) throws { try ContractFailure.check(condition, "LookupStore", promise) }
        try await store.ping()
        let seed = try SeedSet.load(from: Fixtures.seedDirectory)
        try check(try await store.importSeed(seed), "a new seed set is imported")
        try check(try await !store.importSeed(seed), "the same set again changes nothing")
        try check(try await store.divisions() == seed.divisions.sorted { $0.code < $1.code }, "divisions come back as imported, by code")
        try check(try await store.resourceTypes() == seed.resourceTypes, "resource types come back in their order")
        let entries = try await store.directoryEntries()
        try check(entries == seed.entries.sorted { $0.id < $1.id }, "directory entries come back as imported, by id (\(entries.count) of \(seed.entries.count))")
        try check(try await store.calendarDays() == seed.calendar.sorted { $0.date < $1.date }, "calendar days come back as imported, by date")
    }
}
