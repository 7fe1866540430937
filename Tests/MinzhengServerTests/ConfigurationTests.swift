import MinzhengCore
import MinzhengServer
import Testing

/// Settings read from the environment: a wrong value stops the start with its reason, never a silent default.
struct ConfigurationTests {
    @Test func searchRunsInMemoryUnlessTheDatabaseIsAskedFor() throws {
        #expect(try ServerConfiguration(environment: [:]).searchInDatabase == false)
        #expect(try ServerConfiguration(environment: ["MINZHENG_SEARCH": "memory"]).searchInDatabase == false)
        let postgres = ["MINZHENG_DATABASE_URL": "postgres://minzheng@127.0.0.1:5432/minzheng", "MINZHENG_SEARCH": "database"]
        #expect(try ServerConfiguration(environment: postgres).searchInDatabase == true)
        // SQLite has no search indexes of its own: asking for them is a mistake to report, as is a word that means nothing.
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["MINZHENG_SEARCH": "database"]) }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(environment: ["MINZHENG_SEARCH": "fast"]) }
        // A replica for searches, only where searches go to the database.
        let replica = "postgres://minzheng@10.0.0.2:5432/minzheng"
        #expect(try ServerConfiguration(environment: postgres.merging(["MINZHENG_SEARCH_DATABASE_URL": replica]) { $1 }).searchDatabaseURL == replica)
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration(environment: ["MINZHENG_DATABASE_URL": postgres["MINZHENG_DATABASE_URL"]!, "MINZHENG_SEARCH_DATABASE_URL": replica])
        }
    }

    /// The no-show bar varies by province (DOMAIN.md): two within 30 days bar 15 days unless told otherwise.
    @Test func theNoShowBarIsTheProvincesToSet() throws {
        let standard = try ServerConfiguration(environment: [:]).bookingRules
        #expect((standard.noShowCount, standard.noShowWindowDays, standard.barDays) == (2, 30, 15))
        let guangdong = try ServerConfiguration(environment: ["MINZHENG_NO_SHOW_RULE": "2/30/180"]).bookingRules
        #expect((guangdong.noShowCount, guangdong.noShowWindowDays, guangdong.barDays) == (2, 30, 180))
        for wrong in ["2/30", "2/30/15/1", "0/30/15", "two/30/15", "2//15", "2/30/-1"] {
            #expect(throws: ConfigurationError.self, "\(wrong)") { try ServerConfiguration(environment: ["MINZHENG_NO_SHOW_RULE": wrong]) }
        }
    }
}
