import MinzhengCore
@testable import MinzhengPostgres
import Testing

/// What the trigger (migration 0008) and the listeners' pings say is what a listener hears; anything else is ignored.
@Suite struct OfficeChangePayloadTests {
    @Test func theTriggersWordsAreRead() {
        let slot = SlotKey(officeID: 9, date: LocalDate(iso: "2026-12-02")!, period: "09:00", service: .divorceApplication)
        #expect(PostgresOfficeChanges.message("changed 9 public") == .change(.changed(officeID: 9), schema: "public"))
        #expect(PostgresOfficeChanges.message("filled 9 2026-12-02 09:00 divorce_application bench_1")
                    == .change(.filled(slot), schema: "bench_1"))
        #expect(PostgresOfficeChanges.message("changed 9 a schema with spaces") == .change(.changed(officeID: 9), schema: "a schema with spaces"))
        #expect(PostgresOfficeChanges.message("ping 5F2C 12") == .ping(listener: "5F2C", number: 12))
        for noise in ["", "9", "changed", "changed 9", "changed x public", "filled 9 2026-13-02 09:00 marriage public",
                      "filled 9 2026-12-02 09:00 wedding public", "ping x", "ping x y", "emptied 9 public"] {
            #expect(PostgresOfficeChanges.message(noise) == nil, "\(noise)")
        }
    }
}
