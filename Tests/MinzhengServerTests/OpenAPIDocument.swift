import Foundation
import MinzhengTesting

/// What `openapi/openapi.yaml` declares, read with a scanner for its own layout (two-space indents, parameters inline
/// or through `#/components/parameters/…`): enough for the tests that hold the server to the document.
enum OpenAPIDocument {
    struct Operation {
        let method: String
        /// The path template, `{name}` for a parameter.
        let path: String
        let queryNames: [String]

        var segments: [Substring] { path.split(separator: "/") }
    }

    private struct Key: Hashable { let method: String; let path: String }

    /// Every operation, in the document's order, with the names of its query parameters.
    static func operations() throws -> [Operation] {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("openapi/openapi.yaml"), encoding: .utf8)
        var operations: [Key] = [], queries: [Key: [String]] = [:], references: [Key: [String]] = [:]
        var componentQueries: [String: String] = [:]
        var path = "", operation: Key?, pendingName: String?
        var inComponentParameters = false, component = ""
        for line in text.split(separator: "\n").map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !line.hasPrefix(" ") { operation = nil; inComponentParameters = false }
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()); operation = nil }
            if ["    get:", "    post:", "    put:", "    patch:", "    delete:"].contains(line) {
                operation = Key(method: trimmed.dropLast().uppercased(), path: path)
                operations.append(operation!)
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
            else if trimmed == "in: query", let name = pendingName { queries[operation, default: []].append(name); pendingName = nil }
            else if let reference = trimmed.range(of: "$ref: '#/components/parameters/"), trimmed.hasPrefix("- ") {
                let name = trimmed[reference.upperBound...].prefix { $0 != "'" }
                references[operation, default: []].append(String(name))
            }
        }
        return operations.map { key in
            Operation(method: key.method, path: key.path,
                      queryNames: (queries[key] ?? []) + (references[key] ?? []).compactMap { componentQueries[$0] })
        }
    }
}
