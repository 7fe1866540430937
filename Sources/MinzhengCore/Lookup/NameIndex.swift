/// Finds names containing a short Chinese query without reading every name: for each character, the
/// positions of the names holding it. A query walks the list of its rarest character only.
struct NameIndex: Sendable {
    private let positionsByCharacter: [Character: [Int]]

    /// `names[i]` is the name at position `i`; positions come out in ascending order.
    init(names: [String]) {
        var index: [Character: [Int]] = [:]
        for (position, name) in names.enumerated() {
            for character in Set(name) { index[character, default: []].append(position) }
        }
        positionsByCharacter = index
    }

    /// Ascending positions whose name may contain `query` (every one of its characters is there).
    /// The caller still checks the whole substring.
    func candidates(for query: String) -> [Int] {
        Set(query).map { positionsByCharacter[$0] ?? [] }.min { $0.count < $1.count } ?? []
    }
}
