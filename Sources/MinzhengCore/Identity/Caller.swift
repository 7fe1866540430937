import Foundation

/// Who is calling, as established from the request's credentials.
public enum Caller: Sendable, Equatable {
    case anonymous
    /// An app backend with its client key, acting for itself.
    case client(APIClient)
    /// A citizen, through an app backend's session.
    case citizen(CitizenSession)
    case staff(StaffMember)
    /// Credentials were sent but are unknown or expired. Public endpoints treat this as anonymous; the
    /// others answer 401 with `reason`.
    case rejected(reason: String)
}

public struct APIClient: Sendable, Equatable {
    public let id: Int64
    public let name: String

    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}

public struct CitizenSession: Sendable, Equatable {
    public let clientID: Int64
    /// The app's own id of the citizen (e.g. a WeChat openid).
    public let subject: String
    public let expiresAt: Date

    public init(clientID: Int64, subject: String, expiresAt: Date) {
        self.clientID = clientID
        self.subject = subject
        self.expiresAt = expiresAt
    }

    /// Bookings belong to (client, subject).
    public var owner: BookingOwner { BookingOwner(clientID: clientID, subject: subject) }
}

public struct BookingOwner: Sendable, Hashable, Codable {
    public let clientID: Int64
    public let subject: String

    public init(clientID: Int64, subject: String) {
        self.clientID = clientID
        self.subject = subject
    }
}

public enum StaffRole: String, Sendable, CaseIterable, Comparable {
    /// Runs the roster and check-in.
    case clerk
    /// Also changes capacity, closures and open days.
    case manager
    /// Also manages staff.
    case admin

    private var rank: Int { StaffRole.allCases.firstIndex(of: self) ?? 0 }
    public static func < (lhs: StaffRole, rhs: StaffRole) -> Bool { lhs.rank < rhs.rank }
}

public struct StaffMember: Sendable, Equatable {
    public let id: Int64
    public let username: String
    public let role: StaffRole
    /// The division the member works for; they act only on offices under it.
    public let division: DivisionCode

    public init(id: Int64, username: String, role: StaffRole, division: DivisionCode) {
        self.id = id
        self.username = username
        self.role = role
        self.division = division
    }

    public func mayManage(_ officeDivision: DivisionCode) -> Bool { division.contains(officeDivision) }
}

extension Caller {
    public func requireCitizen() throws(DomainError) -> CitizenSession {
        guard case .citizen(let session) = self else { throw unauthenticated("a citizen session token is required (Authorization: Bearer)") }
        return session
    }

    public func requireClient() throws(DomainError) -> APIClient {
        guard case .client(let client) = self else { throw unauthenticated("a client key is required (X-Client-Key)") }
        return client
    }

    /// A staff member of at least `role`.
    public func requireStaff(_ role: StaffRole = .clerk) throws(DomainError) -> StaffMember {
        guard case .staff(let member) = self else { throw unauthenticated("a staff session token is required (Authorization: Bearer)") }
        guard member.role >= role else {
            throw .init(.forbidden, code: "forbidden", title: "无权执行此操作", detail: "this needs the \(role.rawValue) role")
        }
        return member
    }

    private func unauthenticated(_ needed: String) -> DomainError {
        if case .rejected(let reason) = self {
            return DomainError(.unauthenticated, code: "unauthenticated", title: "身份验证失败，请重新登录", detail: reason)
        }
        return DomainError(.unauthenticated, code: "unauthenticated", title: "请先登录", detail: needed)
    }
}
