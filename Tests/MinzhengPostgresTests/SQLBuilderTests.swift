@testable import MinzhengPostgres
import Testing

/// The pieces of search SQL that are text rather than values.
struct SQLBuilderTests {
    @Test func likeWildcardsInASearchAreText() {
        #expect(SQLBuilder.containing("5%_\\") == "%5\\%\\_\\\\%")
        // A wildcard carrying a combining accent is still a wildcard to LIKE, which reads code points.
        #expect(Array(SQLBuilder.containing("%\u{301}").unicodeScalars) == Array("%\\%\u{301}%".unicodeScalars))
        #expect(SQLBuilder.findsNothing("养老\u{0}"))
        #expect(!SQLBuilder.findsNothing("养老"))
    }
}
