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
