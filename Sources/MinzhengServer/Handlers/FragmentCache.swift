import Hummingbird
import NIOCore
import Synchronization

/// The pre-encoded JSON fragments of one in-memory snapshot (a catalogue, a registry), by key, built once per
/// snapshot `generation`. Only a newer build replaces the kept one: a request still holding the previous
/// snapshot gets its own fragments without pushing out the current ones.
final class FragmentCache<Key: Hashable & Sendable, Fragment: Sendable>: Sendable {
    private final class Built: Sendable {
        let generation: Int
        let byKey: [Key: Fragment]
        init(generation: Int, byKey: [Key: Fragment]) {
            self.generation = generation
            self.byKey = byKey
        }
    }

    private let current = Mutex(Built(generation: 0, byKey: [:]))

    func fragments(generation: Int, build: () -> [Key: Fragment]) -> [Key: Fragment] {
        if let known = current.withLock({ $0.generation == generation ? $0 : nil }) { return known.byKey }
        let built = Built(generation: generation, byKey: build())
        current.withLock { if $0.generation < built.generation { $0 = built } }
        return built.byKey
    }
}

extension Response {
    /// A 200 with JSON a hand-rendered route assembled.
    static func renderedJSON(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }
}
