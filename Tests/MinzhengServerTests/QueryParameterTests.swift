import Foundation
import HTTPTypes
import MinzhengTesting
@testable import MinzhengServer
import Testing

/// Query parameters an operation does not document are refused, on generated and hand-written routes alike,
/// and the table the middleware reads is the document's.
@Suite struct QueryParameterTests {
    @Test func anUndocumentedQueryParameterIs400AndChangesNothing() async throws {
        try await withBookingWorld { world in
            let citizen = try await world.citizen("query")
            let clerk = try await world.staff("nanjing-clerk")
            func code(_ path: String, token: String? = nil) async throws -> String? {
                let response = try await world.request(.get, path, token: token)
                if response.status == .badRequest { #expect(response.headers[.contentType] == "application/problem+json") }
                if response.status.code >= 500 { Issue.record("\(path): \(String(buffer: response.body))") }
                return response.status == .ok ? "ok" : response.problemCode
            }
            // What schemathesis sent: a parameter with no name.
            #expect(try await code("/v1/marriage-bookings?=false", token: citizen) == "unknown_parameter")
            #expect(try await code("/v1/marriage-bookings?limit=5", token: citizen) == "ok")
            // A misspelt name is not silently ignored; the right one still works.
            #expect(try await code("/v1/divisions?q=%E7%8E%84%E6%AD%A6&limt=5") == "unknown_parameter")
            // Empty pieces are no parameter here; the generated reader then refuses them as malformed, with a 400.
            #expect(try await code("/v1/divisions?q=%E7%8E%84%E6%AD%A6&&limit=5&") == "invalid_parameter")
            #expect(try await code("/v1/divisions?q=%E7%8E%84%E6%AD%A6&limit=5") == "ok")
            #expect(try await code("/healthz?verbose") == "unknown_parameter")
            // Hand-written routes (directory, eldercare) are judged by the same table.
            #expect(try await code("/v1/directory/marriage-registry?division=3201&page=2") == "unknown_parameter")
            #expect(try await code("/v1/eldercare-facilities?has_free_beds=true&beds=1") == "unknown_parameter")
            #expect(try await code("/v1/eldercare-facilities?has_free_beds=true") == "ok")
            // A literal path segment wins over a template's: `overdue` takes no `status`, the list does.
            #expect(try await code("/v1/staff/applications/overdue?status=submitted", token: clerk) == "unknown_parameter")
            #expect(try await code("/v1/staff/applications?status=submitted", token: clerk) == "ok")
            // A path no operation has stays 404.
            #expect(try await world.request(.get, "/v1/nothing-here?x=1").status == .notFound)

            // A booking sent with an unknown parameter is refused before anything is taken.
            let date = try await world.bookableDay()
            let before = try await world.period(date: date).booked
            let refused = try await world.request(.post, "/v1/marriage-bookings?priority=1", token: citizen,
                                                  headers: [HTTPField.Name("Idempotency-Key")!: UUID().uuidString],
                                                  json: world.bookingJSON(date: date, couple: 7))
            #expect(refused.status == .badRequest && refused.problemCode == "unknown_parameter")
            #expect(try await world.period(date: date).booked == before)
        }
    }

    @Test func theTableNamesWhatTheDocumentNames() throws {
        let documented = try OpenAPIDocument.operations()
        #expect(documented.count >= 60, "the document's operations were read")
        for operation in documented {
            #expect(DocumentedQueryParameters.names(method: operation.method, template: operation.path) == Set(operation.queryNames.map { $0[...] }),
                    "\(operation.method) \(operation.path)")
        }
        let withQueries = documented.filter { !$0.queryNames.isEmpty }
        #expect(withQueries.count == DocumentedQueryParameters.byOperation.count, "the table lists no operation the document lacks")
    }
}
