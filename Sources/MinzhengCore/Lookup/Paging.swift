import Foundation

/// What a list request asks for: a page size and where the previous page ended.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maxLimit = 100

    public let limit: Int
    public let after: PageCursor?

    public init(limit: Int = PageRequest.defaultLimit, after: PageCursor? = nil) {
        self.limit = limit
        self.after = after
    }

    /// Validates the `limit` and `cursor` query parameters.
    public static func parse(limit: Int?, cursor: String?) throws(DomainError) -> PageRequest {
        let limit = limit ?? defaultLimit
        guard (1...maxLimit).contains(limit) else {
            throw .invalidParameter("limit", "must be between 1 and \(maxLimit)")
        }
        guard let cursor else { return PageRequest(limit: limit) }
        guard let decoded = PageCursor(token: cursor) else {
            throw .invalidParameter("cursor", "is not a cursor this service issued")
        }
        return PageRequest(limit: limit, after: decoded)
    }
}

public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let next: PageCursor?

    public init(items: [Item], next: PageCursor?) {
        self.items = items
        self.next = next
    }

    /// A page of `limit` items made of up to `limit + 1` rows found in order (a `SearchIndex`'s answer): the
    /// extra row only says that there is more. A row whose item `item` cannot give (data imported since the
    /// catalogue was loaded) is left out, but the cursor still follows the rows.
    public init<Row>(rows: [Row], limit: Int, item: (Row) -> Item?, cursor: (Row) -> PageCursor) {
        let shown = rows.prefix(limit)
        items = shown.compactMap(item)
        next = rows.count > limit ? shown.last.map(cursor) : nil
    }
}

/// A keyset position: the sort key of the last item of a page. Keyset paging never skips or repeats an
/// item when entries are added or removed between pages, which offsets would.
public struct PageCursor: Sendable, Equatable {
    /// The primary sort key (a code, or a distance in millimetres written as a number).
    public let key: String
    /// The tie-breaker: the item's id.
    public let id: Int64

    public init(key: String, id: Int64) {
        self.key = key
        self.id = id
    }

    /// The opaque form handed to clients (base64url of `key \u{1F} id`).
    public var token: String {
        let raw = Data("\(key)\u{1F}\(id)".utf8).base64EncodedString()
        // base64url without padding, byte by byte (three `replacingOccurrences` cost more than the search).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        for byte in raw.utf8 {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "_"))
            case UInt8(ascii: "="): continue
            default: bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public init?(token: String) {
        guard token.count <= 200 else { return nil }
        var b64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b64.count % 4 != 0 { b64 += "=" }
        guard let data = Data(base64Encoded: b64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = Int64(parts[1]) else { return nil }
        self.init(key: String(parts[0]), id: id)
    }
}
