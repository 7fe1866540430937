import Foundation
import MinzhengCore
import Testing

@Suite struct AuditChainTests {
    static func chain(_ count: Int) -> [AuditEntry] {
        var previous = AuditChain.genesis
        return (1...count).map { n in
            let record = AuditRecord(staffID: 7, action: "capacity.set", target: "office:9", at: Date(timeIntervalSince1970: 1_800_000_000 + Double(n)),
                                     after: #"{"capacity":"\#(n)"}"#)
            let hash = AuditChain.link(previous: previous, record)
            defer { previous = hash }
            return AuditEntry(id: Int64(n), staffID: 7, action: record.action, target: record.target, at: record.at, before: nil,
                              after: record.after, previousHash: previous, hash: hash)
        }
    }

    @Test func anIntactChainHasNoBreaks() {
        #expect(AuditChain.verify(Self.chain(5)).isEmpty)
        #expect(AuditChain.verify([]).isEmpty)
    }

    @Test func aWalkPageByPageFindsWhatOneWalkFinds() {
        var trail = Self.chain(7)
        trail.remove(at: 4)  // row 5 deleted: row 6's link breaks, across the page boundary below
        var walk = AuditChain.Walk()
        for page in stride(from: 0, to: trail.count, by: 2).map({ Array(trail[$0..<min($0 + 2, trail.count)]) }) { walk.check(page) }
        #expect(walk.breaks == AuditChain.verify(trail) && walk.breaks.map(\.id) == [6])
        #expect(walk.rows == 6 && walk.head == trail.last?.hash)
        #expect(AuditChain.Walk().head == AuditChain.genesis)
    }

    @Test func anEditedRowIsNamedAndOnlyIt() {
        var trail = Self.chain(5)
        let row = trail[2]
        trail[2] = AuditEntry(id: row.id, staffID: 8, action: row.action, target: row.target, at: row.at, before: row.before, after: row.after,
                              previousHash: row.previousHash, hash: row.hash)
        #expect(AuditChain.verify(trail).map(\.id) == [3])
    }

    @Test func aDeletedOrInsertedRowBreaksTheNextLink() {
        var trail = Self.chain(5)
        trail.remove(at: 1)
        #expect(AuditChain.verify(trail) == [AuditChain.Break(id: 3, reason: "its previous hash is not the hash of the row before it (a row was deleted, inserted or edited)")])
        // A row rewritten with a fresh hash of its own still breaks the link to the next one.
        var rewritten = Self.chain(3)
        let row = rewritten[0]
        let forged = AuditRecord(staffID: 1, action: row.action, target: row.target, at: row.at, after: row.after)
        rewritten[0] = AuditEntry(id: 1, staffID: 1, action: row.action, target: row.target, at: row.at, before: nil, after: row.after,
                                  previousHash: AuditChain.genesis, hash: AuditChain.link(previous: AuditChain.genesis, forged))
        #expect(AuditChain.verify(rewritten).map(\.id) == [2])
    }
}
