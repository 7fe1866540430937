import Foundation
import MinzhengCore
import Testing

@Suite struct BookingIDTests {
    @Test func idsAreVersion7UUIDsInTimeOrder() throws {
        let start = Date(timeIntervalSince1970: 1_796_000_000)
        let ids = (0..<50).map { BookingID.make(at: start.addingTimeInterval(Double($0) / 100)) }
        for id in ids {
            let uuid = try #require(UUID(uuidString: id))
            #expect(uuid.uuidString.lowercased() == id)
            #expect(Array(id)[14] == "7")  // version
            #expect("89ab".contains(Array(id)[19]))  // variant
        }
        #expect(ids == ids.sorted())  // a later millisecond sorts later: new rows go to the end of the B-tree
        #expect(Set(ids).count == ids.count)
        #expect(BookingID.make(at: start) != BookingID.make(at: start))  // random within a millisecond
    }
}
