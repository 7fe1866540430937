import MinzhengCore
@testable import MinzhengPostgres
import Testing

/// What one process's NOTIFY says is what the others hear; anything else is ignored.
@Suite struct OfficeChangePayloadTests {
    @Test func changesSurviveTheWire() {
        let slot = SlotKey(officeID: 9, date: LocalDate(iso: "2026-12-02")!, period: "09:00", service: .divorceApplication)
        for change in [OfficeChange.changed(officeID: 9), .filled(slot)] {
            #expect(PostgresOfficeChanges.change(PostgresOfficeChanges.payload(change)) == change)
        }
        #expect(PostgresOfficeChanges.payload(.filled(slot)) == "filled 9 2026-12-02 09:00 divorce_application")
        for noise in ["", "9", "changed", "changed x", "filled 9 2026-13-02 09:00 marriage", "filled 9 2026-12-02 09:00 wedding", "emptied 9"] {
            #expect(PostgresOfficeChanges.change(noise) == nil, "\(noise)")
        }
    }

    @Test func eachSchemaHasItsOwnChannel() {
        #expect(PostgresOfficeChanges.channel(schema: nil) == "minzheng_office_changed")
        #expect(PostgresOfficeChanges.channel(schema: "bench_1") == "minzheng_office_changed_bench_1")
    }
}
