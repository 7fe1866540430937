/// Where look-up data (divisions, resource types, directory entries, the calendar) is kept. Implemented
/// once per database (SQLite now; PostgreSQL is issue 7, with a shared contract suite).
public protocol LookupStore: Sendable {
    func divisions() async throws -> [Division]
    func resourceTypes() async throws -> [ResourceType]
    func directoryEntries() async throws -> [DirectoryEntry]
    func calendarDays() async throws -> [CalendarDay]
    /// Throws when the database cannot be reached.
    func ping() async throws
}
