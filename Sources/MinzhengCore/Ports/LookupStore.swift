/// Where look-up data (divisions, resource types, directory entries) is kept. Implemented once per
/// database; the contract tests in `MinzhengTesting` hold every implementation to the same behaviour.
public protocol LookupStore: Sendable {
    func divisions() async throws -> [Division]
    func resourceTypes() async throws -> [ResourceType]
    func directoryEntries() async throws -> [DirectoryEntry]
    func calendarDays() async throws -> [CalendarDay]
    /// Throws when the database cannot be reached.
    func ping() async throws
}
