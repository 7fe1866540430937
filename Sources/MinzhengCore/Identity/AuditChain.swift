import Crypto
import Foundation

/// Audit rows are chained: each carries the SHA-256 of the previous row's hash and its own content, so an
/// edited or deleted row breaks every hash after it.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    public static func link(previous: String, _ record: AuditRecord) -> String {
        let content = [previous, String(record.staffID), record.action, record.target, String(record.at.timeIntervalSince1970),
                       record.before ?? "", record.after ?? ""].joined(separator: "\u{1F}")
        return Array(SHA256.hash(data: Data(content.utf8))).hexString
    }
}

extension AuditChain {
    /// A place where the stored trail is not the chain it was written as.
    public struct Break: Sendable, Equatable, CustomStringConvertible {
        public let id: Int64
        public let reason: String
        public var description: String { "audit row \(id): \(reason)" }

        public init(id: Int64, reason: String) {
            self.id = id
            self.reason = reason
        }
    }

    /// Walks `trail` (in id order) and names every row whose content no longer gives its hash (edited) or whose
    /// previous hash is not the hash of the row before it (a row before it deleted, inserted or edited).
    /// Deleting the newest rows leaves a shorter chain that is intact: compare `head` with a copy kept elsewhere.
    public static func verify(_ trail: [AuditEntry]) -> [Break] {
        var walk = Walk()
        walk.check(trail)
        return walk.breaks
    }

    /// `verify` a page at a time: rows are checked as they come and only the breaks are kept, so a log of any
    /// length is checked in bounded memory.
    public struct Walk: Sendable {
        public private(set) var breaks: [Break] = []
        public private(set) var rows = 0
        /// The hash of the last row checked: the chain's head once every row is.
        public private(set) var head = AuditChain.genesis

        public init() {}

        /// The next rows, in id order.
        public mutating func check(_ entries: [AuditEntry]) {
            for entry in entries {
                if entry.previousHash != head {
                    breaks.append(Break(id: entry.id, reason: "its previous hash is not the hash of the row before it (a row was deleted, inserted or edited)"))
                }
                let record = AuditRecord(staffID: entry.staffID, action: entry.action, target: entry.target, at: entry.at,
                                         before: entry.before, after: entry.after)
                if entry.hash != link(previous: entry.previousHash, record) {
                    breaks.append(Break(id: entry.id, reason: "its content does not give its hash (the row was edited)"))
                }
                head = entry.hash
                rows += 1
            }
        }
    }
}
