import Foundation
import MinzhengAPI
import MinzhengCore

/// Applications: citizens apply and follow them (by session, or anonymously by number and ID suffix); staff of the
/// division move them along and see the overdue ones.
extension APIHandler {
    func submitApplication(_ input: Operations.SubmitApplication.Input) async throws -> Operations.SubmitApplication.Output {
        let session = try caller.requireCitizen()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let request = ApplicationRequest(itemCode: body.itemCode, division: body.division,
                                         applicant: ApplicantInput(name: body.applicant.name, idNumber: body.applicant.idNumber, phone: body.applicant.phone))
        return .created(.init(body: .json(.init(try await applications.submit(request, by: session), today: today))))
    }

    func listMyApplications(_ input: Operations.ListMyApplications.Input) async throws -> Operations.ListMyApplications.Output {
        let session = try caller.requireCitizen()
        let page = try PageRequest.parse(limit: input.query.limit, cursor: input.query.cursor)
        return .ok(.init(body: .json(.init(try await applications.applications(of: session, page: page), today: today))))
    }

    func getMyApplication(_ input: Operations.GetMyApplication.Input) async throws -> Operations.GetMyApplication.Output {
        let session = try caller.requireCitizen()
        return .ok(.init(body: .json(.init(try await applications.application(number: input.path.number, of: session), today: today))))
    }

    func lookUpApplication(_ input: Operations.LookUpApplication.Input) async throws -> Operations.LookUpApplication.Output {
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let found = try await applications.lookUp(number: body.number, idSuffix: body.idSuffix, by: caller, address: RequestCaller.address)
        return .ok(.init(body: .json(.init(found, today: today))))
    }

    func listDivisionApplications(_ input: Operations.ListDivisionApplications.Input) async throws -> Operations.ListDivisionApplications.Output {
        let staff = try caller.requireStaff()
        let page = try PageRequest.parse(limit: input.query.limit, cursor: input.query.cursor)
        let found = try await applications.applications(under: staff, status: input.query.status?.rawValue, page: page)
        return .ok(.init(body: .json(.init(found, today: today))))
    }

    func listOverdueApplications(_ input: Operations.ListOverdueApplications.Input) async throws -> Operations.ListOverdueApplications.Output {
        let staff = try caller.requireStaff()
        let page = try PageRequest.parse(limit: input.query.limit, cursor: input.query.cursor)
        return .ok(.init(body: .json(.init(try await applications.overdue(under: staff, page: page), today: today))))
    }

    func advanceApplication(_ input: Operations.AdvanceApplication.Input) async throws -> Operations.AdvanceApplication.Output {
        let staff = try caller.requireStaff()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let transition = ApplicationTransition(status: body.status.rawValue, reason: body.reason, trackingNumber: body.trackingNumber)
        return .ok(.init(body: .json(.init(try await applications.advance(number: input.path.number, transition, by: staff), today: today))))
    }

    func revealApplicant(_ input: Operations.RevealApplicant.Input) async throws -> Operations.RevealApplicant.Output {
        let staff = try caller.requireStaff()
        guard case .json(let body) = input.body else { throw DomainError.invalidParameter("body", "must be JSON") }
        let revealed = try await applications.revealApplicant(number: input.path.number, reason: body.reason, by: staff)
        return .ok(.init(headers: .init(cacheControl: "no-store"),
                         body: .json(.init(number: revealed.number, name: revealed.name, idNumber: revealed.idNumber, phone: revealed.phone))))
    }

    private var today: LocalDate { applications.today }
}

extension Components.Schemas.Application {
    init(_ application: ApplicationRecord, today: LocalDate) {
        self.init(
            number: application.number, itemCode: application.itemCode, itemName: application.itemName,
            divisionCode: application.division.rawValue, status: .init(application.status), statusLabel: application.status.label,
            submittedAt: application.submittedAt, promisedDate: application.promisedDate.description,
            overdue: application.isOverdue(today: today), applicant: .init(application.applicant),
            timeline: application.steps.map {
                .init(status: .init($0.status), statusLabel: $0.status.label, at: $0.at, reason: $0.reason, trackingNumber: $0.trackingNumber)
            })
    }
}

extension Components.Schemas.ApplicationList {
    init(_ page: Page<ApplicationRecord>, today: LocalDate) {
        self.init(items: page.items.map { .init($0, today: today) }, nextCursor: page.next?.token)
    }
}

extension Components.Schemas.ApplicationStatus {
    init(_ status: MinzhengCore.ApplicationStatus) {
        self = Self(rawValue: status.rawValue) ?? .submitted
    }
}
