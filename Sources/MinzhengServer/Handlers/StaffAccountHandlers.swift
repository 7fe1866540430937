import MinzhengAPI
import MinzhengCore

/// Admins manage the staff accounts of their division and below.
extension APIHandler {
    func listStaffAccounts(_ input: Operations.ListStaffAccounts.Input) async throws -> Operations.ListStaffAccounts.Output {
        let admin = try caller.requireStaff(.admin)
        let accounts = try await identity.staffAccounts(by: admin)
        return .ok(.init(body: .json(.init(items: accounts.map { .init($0.member, active: $0.active) }))))
    }

    func createStaffAccount(_ input: Operations.CreateStaffAccount.Input) async throws -> Operations.CreateStaffAccount.Output {
        let admin = try caller.requireStaff(.admin)
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        guard let role = StaffRole(rawValue: body.role.rawValue) else { throw DomainError.invalidParameter("role", "must be clerk, manager or admin") }
        let member = try await identity.createStaff(username: body.username, password: body.password, role: role, division: body.division,
                                                    by: admin)
        return .created(.init(body: .json(.init(member, active: true))))
    }

    func disableStaffAccount(_ input: Operations.DisableStaffAccount.Input) async throws -> Operations.DisableStaffAccount.Output {
        let admin = try caller.requireStaff(.admin)
        let member = try await identity.disableStaff(username: input.path.username, by: admin)
        return .ok(.init(body: .json(.init(member, active: false))))
    }
}

extension Components.Schemas.StaffAccount {
    init(_ member: StaffMember, active: Bool) {
        self.init(id: member.id, username: member.username, role: .init(rawValue: member.role.rawValue) ?? .clerk,
                  division: member.division.rawValue, active: active)
    }
}
