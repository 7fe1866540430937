/// How the processes on one shared database hear what changed in an office's places, whichever process (or hand)
/// changed them: that one may have come free, or that a period's last place went. Each then drops, or adds to, what
/// it remembers (full periods, availability, schedules) at once. PostgreSQL's is a trigger's NOTIFY, heard with
/// LISTEN; one SQLite process needs none.
public protocol OfficeChangeChannel: Sendable {
    /// Hears changes until cancelled or the connection fails or goes quiet (then it throws): `heard` with each, in
    /// the order their transactions committed; `listening` with true once changes are sure to reach it and false
    /// when they no longer are.
    func listen(heard: @escaping @Sendable (OfficeChange) -> Void, listening: @escaping @Sendable (Bool) -> Void) async throws
}

public enum OfficeChange: Sendable, Hashable {
    /// A place may have come free at the office.
    case changed(officeID: Int64)
    /// The last place of the period was taken.
    case filled(SlotKey)
}
