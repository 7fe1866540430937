import MinzhengCore
import Testing

@Suite struct CSVTests {
    @Test func readsQuotedFieldsAndLineEnds() throws {
        let table = try CSVTable(parsing: "code,name\r\n1,\"南京市, \"\"玄武\"\"\"\n2,\"two\nlines\"\n\n")
        #expect(table.header == ["code", "name"])
        #expect(table.rows.map(\.fields) == [["1", "南京市, \"玄武\""], ["2", "two\nlines"]])
        #expect(table.rows.map(\.line) == [2, 3])
    }

    @Test func stripsAByteOrderMark() throws {
        #expect(try CSVTable(parsing: "\u{FEFF}a,b\n1,2\n").header == ["a", "b"])
    }

    @Test func reportsTheLineOfABadRow() throws {
        let table = try CSVTable(parsing: "a,b\n1,2\n3\n")
        #expect(throws: CSVError(line: 3, reason: "expected 2 fields, found 1")) { try table.records() }
        #expect(throws: CSVError.self) { try CSVTable(parsing: "a\n\"open") }
        #expect(throws: CSVError.self) { try CSVTable(parsing: "a\nx\"y\n") }
        #expect(throws: CSVError.self) { try CSVTable(parsing: "") }
    }
}
