/// A stored row the domain cannot read back (a value no version of the service writes): the database was
/// changed behind the service's back.
public struct UnreadableRow: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
