import Crypto
import Foundation

/// What every CSV data feed shares: the rejection of a row (with its line), the file's checksum, and reading a
/// file's rows after checking it is UTF-8 and has the columns the feed needs.
public enum DataFeed {
    /// A row refused, with its line and the reason: the same pair the CSV reader reports its own errors in.
    public typealias Rejection = CSVError

    /// Why one row cannot be taken.
    struct Problem: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Identifies a file's content, so the same file is imported once.
    public static func checksum(_ data: Data) -> String { Array(SHA256.hash(data: data)).hexString }

    /// The rows of a feed file, or the one rejection that stops it whole (not UTF-8, not CSV, missing columns).
    static func records(_ data: Data, columns: [String]) -> Result<[(line: Int, values: [String: String])], Rejection> {
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(Rejection(line: 0, reason: "the file is not UTF-8 (save it as UTF-8, not GBK)"))
        }
        return records(text, columns: columns)
    }

    static func records(_ text: String, columns: [String]) -> Result<[(line: Int, values: [String: String])], Rejection> {
        do {
            let table = try CSVTable(parsing: text)
            let missing = columns.filter { !table.header.contains($0) }
            guard missing.isEmpty else { return .failure(Rejection(line: 1, reason: "missing columns: \(missing.joined(separator: ", "))")) }
            return .success(try table.records())
        } catch {
            return .failure(error)
        }
    }
}
