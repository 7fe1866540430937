import Foundation
import MinzhengCore
import MinzhengSQLite
import MinzhengTesting
import Testing

@Suite struct SQLiteIdentityStoreContractTests {
    @Test func keepsTheIdentityStoreContract() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("minzheng.sqlite").path)
        // Staff rows name a division: give the file the division codes the contract uses.
        try await database.pool.write { db in
            for (code, name) in [("32", "江苏省"), ("3201", "南京市"), ("3202", "无锡市"), ("33", "浙江省")] {
                try db.execute(sql: "INSERT INTO divisions (code, name) VALUES (?, ?)", arguments: [code, name])
            }
        }
        try await IdentityStoreContract.run(SQLiteIdentityStore(database), audit: SQLiteBookingStore(database))
    }
}

@Suite struct SQLiteLookupStoreContractTests {
    @Test func keepsTheLookupStoreContract() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try await LookupStoreContract.run(SQLiteLookupStore(try SQLiteDatabase(path: directory.appendingPathComponent("minzheng.sqlite").path)))
    }
}

@Suite struct SQLiteSocialOrgStoreContractTests {
    @Test func keepsTheSocialOrgStoreContract() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("minzheng.sqlite").path)
        try await SQLiteLookupStore(database).importSeed(try SeedSet.load(from: Fixtures.seedDirectory))
        try await SocialOrgStoreContract.run(SQLiteSocialOrgStore(database))
    }
}

@Suite struct SQLiteApplicationStoreContractTests {
    @Test func keepsTheApplicationStoreContract() async throws {
        let directory = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try SQLiteDatabase(path: directory.appendingPathComponent("minzheng.sqlite").path)
        try await SQLiteLookupStore(database).importSeed(try SeedSet.load(from: Fixtures.seedDirectory))  // the staff member's division
        let clerk = try await SQLiteIdentityStore(database).createStaff(username: "nj-clerk", passwordHash: "h", role: .clerk,
                                                                        division: DivisionCode("3201")!, now: Date(), audit: nil)
        try await ApplicationStoreContract.run(SQLiteApplicationStore(database), catalogue: SQLiteServiceCatalogueStore(database), staffID: clerk.id)
    }
}
