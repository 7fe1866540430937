import MinzhengAPI
import MinzhengCore

/// Citizen sessions (opened by app backends) and staff log-in.
extension APIHandler {
    func createCitizenSession(_ input: Operations.CreateCitizenSession.Input) async throws -> Operations.CreateCitizenSession.Output {
        let client = try caller.requireClient()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let session = try await identity.startCitizenSession(for: client, subject: body.subject)
        return .created(.init(body: .json(.init(token: session.token, expiresAt: session.expiresAt))))
    }

    func createStaffSession(_ input: Operations.CreateStaffSession.Input) async throws -> Operations.CreateStaffSession.Output {
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let session = try await identity.staffLogin(username: body.username, password: body.password)
        return .created(.init(body: .json(.init(
            token: session.token, expiresAt: session.expiresAt,
            role: .init(rawValue: session.member.role.rawValue) ?? .clerk, division: session.member.division.rawValue))))
    }
}
