/// How the processes on one shared database tell each other what they learnt of an office's places: that one may
/// have come free (a cancellation, a move, new capacity or days, a draw), or that a period's last place went. Each
/// then drops, or adds to, what it remembers (full periods, availability, schedules) at once. PostgreSQL's is
/// LISTEN/NOTIFY; one SQLite process needs none.
public protocol OfficeChangeChannel: Sendable {
    /// Tells every process, this one included, after the change committed. Best effort: a lost announcement
    /// leaves the others' memory of the office to expire (`FullSlotHints.heardLifetime`).
    func announce(_ change: OfficeChange) async

    /// Hears announcements until cancelled or the connection fails (then it throws): `heard` with each, in the
    /// order their changes committed; `listening` with true once announcements are sure to reach it and false
    /// when they no longer are.
    func listen(heard: @escaping @Sendable (OfficeChange) -> Void, listening: @escaping @Sendable (Bool) -> Void) async throws
}

public enum OfficeChange: Sendable, Hashable {
    /// A place may have come free, or the office's days, capacities or schedule changed.
    case changed(officeID: Int64)
    /// The last place of the period was taken.
    case filled(SlotKey)
}
