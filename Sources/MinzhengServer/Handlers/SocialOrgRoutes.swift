import Foundation
import Hummingbird
import MinzhengAPI
import MinzhengCore
import NIOCore

/// `GET /v1/social-orgs/verify` served with each organisation's JSON encoded once per registry, instead of
/// through the generated handler and `JSONEncoder` on every call; the generated handler stays as the reference
/// and a differential test holds both to the same answers.
struct SocialOrgRoutes: Sendable {
    let socialOrgs: SocialOrgService
    let renderer: SocialOrgRenderer

    static let operations: Set<String> = ["GET /v1/social-orgs/verify"]

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/v1/social-orgs/verify") { request, _ in try self.verify(request) }
    }

    private func verify(_ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        guard let code = query["code"] else { throw DomainError.invalidParameter("code", "is required") }
        let registry = socialOrgs.registry
        let verification = try socialOrgs.verify(code: String(code), name: query["name"].map(String.init), in: registry)
        return .renderedJSON(renderer.verification(verification, registry: registry))
    }
}

/// Each organisation's public JSON, encoded once per registry.
final class SocialOrgRenderer: Sendable {
    private let cache = FragmentCache<String, [UInt8]>()

    func prepare(_ registry: SocialOrgRegistry) { _ = fragments(for: registry) }

    func verification(_ verification: SocialOrgVerification, registry: SocialOrgRegistry) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1024)
        buffer.writeString("{\"code\":\"\(verification.code.value)\",\"found\":\(verification.organisation != nil)")
        if let matches = verification.nameMatches { buffer.writeString(",\"name_matches\":\(matches)") }
        if let organisation = verification.organisation {
            buffer.writeString(",\"organization\":")
            buffer.writeBytes(fragments(for: registry)[organisation.code.value] ?? Self.encode(organisation))
        }
        buffer.writeString(",\"warnings\":")
        buffer.writeBytes(Self.json(verification.warnings.map { Components.Schemas.Warning(code: $0.code, message: $0.message) }))
        buffer.writeString("}")
        return buffer
    }

    private func fragments(for registry: SocialOrgRegistry) -> [String: [UInt8]] {
        cache.fragments(generation: registry.generation) {
            Dictionary(uniqueKeysWithValues: registry.all.map { ($0.code.value, Self.encode($0)) })
        }
    }

    private static func encode(_ organisation: SocialOrg) -> [UInt8] { json(Components.Schemas.SocialOrg(organisation)) }

    private static func json(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return Array((try? encoder.encode(value)) ?? Data("null".utf8))
    }
}
