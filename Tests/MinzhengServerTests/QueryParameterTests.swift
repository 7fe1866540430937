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
        let documented = try Self.documentedQueryParameters()
        let operationCount = try AccessMatrixTests.documentedOperations().count
        #expect(documented.count == operationCount, "every operation of the document was read")
        let table = documented.keys.filter { !DocumentedQueryParameters.names(method: $0.method, template: $0.path).isEmpty }
        for (operation, names) in documented {
            #expect(DocumentedQueryParameters.names(method: operation.method, template: operation.path) == Set(names.map { $0[...] }),
                    "\(operation.method) \(operation.path)")
        }
        #expect(table.count == DocumentedQueryParameters.byOperation.count, "the table lists no operation the document lacks")
    }

    struct Operation: Hashable { let method: String; let path: String }

    /// Each operation of `openapi/openapi.yaml` with the names of its query parameters, inline (`- name:` then
    /// `in: query`) or through `#/components/parameters/…`.
    static func documentedQueryParameters() throws -> [Operation: [String]] {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("openapi/openapi.yaml"), encoding: .utf8)
        var operations: [Operation: [String]] = [:]
        var references: [Operation: [String]] = [:]
        var componentQueries: [String: String] = [:]
        var path = "", operation: Operation?, pendingName: String?
        var inComponentParameters = false, component = ""
        for line in text.split(separator: "\n").map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !line.hasPrefix(" ") { operation = nil; inComponentParameters = false }
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()); operation = nil }
            if ["    get:", "    post:", "    put:", "    patch:", "    delete:"].contains(line) {
                operation = Operation(method: trimmed.dropLast().uppercased(), path: path)
                operations[operation!] = []
            }
            if line == "  parameters:" { inComponentParameters = true; continue }
            if inComponentParameters {
                if line.hasPrefix("  "), !line.hasPrefix("   ") { inComponentParameters = false }
                else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") { component = String(trimmed.dropLast()) }
                else if trimmed.hasPrefix("name: ") { pendingName = String(trimmed.dropFirst(6)) }
                else if trimmed == "in: query", let name = pendingName { componentQueries[component] = name }
                continue
            }
            guard let operation else { continue }
            if trimmed.hasPrefix("- name: ") { pendingName = String(trimmed.dropFirst(8)) }
            else if trimmed == "in: query", let name = pendingName { operations[operation]!.append(name); pendingName = nil }
            else if let reference = trimmed.range(of: "$ref: '#/components/parameters/"), trimmed.hasPrefix("- ") {
                let name = trimmed[reference.upperBound...].prefix { $0 != "'" }
                references[operation, default: []].append(String(name))
            }
        }
        for (operation, names) in references {
            operations[operation]! += names.compactMap { componentQueries[$0] }
        }
        return operations
    }
}
