/// How the processes on one shared database tell each other that a place may have come free at an office (a
/// cancellation, a move, new capacity or days, a draw), so that each drops what it remembers of the office (full
/// periods, availability, schedule) at once. PostgreSQL's is LISTEN/NOTIFY; one SQLite process needs none.
public protocol OfficeChangeChannel: Sendable {
    /// Tells every process, this one included, after the change committed. Best effort: a lost announcement
    /// leaves the others' memory of the office to expire (`FullSlotHints.heardLifetime`).
    func announce(officeID: Int64) async

    /// Hears announcements until cancelled or the connection fails (then it throws): `heard` with each office,
    /// `listening` with true once announcements are sure to reach it and false when they no longer are.
    func listen(heard: @escaping @Sendable (Int64) -> Void, listening: @escaping @Sendable (Bool) -> Void) async throws
}
