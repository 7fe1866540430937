import Synchronization

/// Numbers in-memory snapshots (a registry, a catalogue) in the order they were made, so that whatever is
/// derived from one can tell the newer of two.
public enum Generation {
    private static let counter = Atomic<Int>(0)

    public static func next() -> Int { counter.add(1, ordering: .relaxed).newValue }
}
