import MinzhengAPI
import MinzhengCore
import MinzhengNotify

/// Implements the generated `APIProtocol`. Handlers stay thin: read the input, call the domain, map the
/// answer back. Failures are thrown as `DomainError` and become problem documents in one place
/// (`OpenAPIErrorMiddleware`), so every endpoint words the same error the same way.
struct APIHandler: APIProtocol {
    let lookups: LookupService
    let identity: IdentityService
    let bookings: BookingService
    let socialOrgs: SocialOrgService
    let eldercare: EldercareService
    let notifications: NotificationService
    let serviceGuides: ServiceGuideService
    let applications: ApplicationService
    /// Bookings run a few at a time (see `ConcurrencyLimit`).
    let bookingAdmission: ConcurrencyLimit
    /// Marks bookings in flight for the delivery worker.
    let foreground: ForegroundActivity

    var caller: Caller { RequestCaller.current }
}

extension APIHandler {
    func getHealthz(_ input: Operations.GetHealthz.Input) async throws -> Operations.GetHealthz.Output {
        .ok(.init(body: .json(.init(status: "ok"))))
    }

    func getReadyz(_ input: Operations.GetReadyz.Input) async throws -> Operations.GetReadyz.Output {
        try await lookups.checkReady()
        return .ok(.init(body: .json(.init(status: "ok"))))
    }
}
