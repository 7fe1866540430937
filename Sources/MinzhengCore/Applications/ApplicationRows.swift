import Foundation

/// Applications' values as both stores keep them (the masked applicant and the timeline as JSON), read back into
/// a record. The SQL that reads them is each store's own.
public enum ApplicationRows {
    public static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public static func record(number: String, itemCode: String, itemName: String, division: String, clientID: Int64, subject: String,
                              masked: String, status: String, submittedAt: Double, promisedDate: String, timeline: String) throws -> ApplicationRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let division = DivisionCode(division), let status = ApplicationStatus(rawValue: status), let promised = LocalDate(iso: promisedDate) else {
            throw UnreadableRow("application \(number) has an unreadable row")
        }
        return ApplicationRecord(
            number: number, itemCode: itemCode, itemName: itemName, division: division, owner: BookingOwner(clientID: clientID, subject: subject),
            applicant: try decoder.decode(MaskedApplicant.self, from: Data(masked.utf8)), status: status,
            submittedAt: Date(timeIntervalSince1970: submittedAt), promisedDate: promised,
            steps: try decoder.decode([ApplicationStep].self, from: Data(timeline.utf8)))
    }
}
