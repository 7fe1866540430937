import Foundation
import Hummingbird
import Logging
import MinzhengAPI
import MinzhengCore
import MinzhengNotify
import OpenAPIHummingbird
import OpenAPIRuntime

/// The service's parts, wired once from the configuration. `minzheng serve`, the admin commands and the
/// tests share it.
public struct Services: Sendable {
    public let storage: Storage
    public let lookups: LookupService
    public let identity: IdentityService
    public let bookings: BookingService
    public let socialOrgs: SocialOrgService
    public let eldercare: EldercareService
    public let notifications: NotificationService
    public let serviceGuides: ServiceGuideService
    public let applications: ApplicationService
    /// The outbox's delivery worker (run by `serve` unless turned off, or alone by `notify-worker`).
    public let deliveryWorker: DeliveryWorker
    /// Bookings in flight, which the worker steps aside for.
    public let foreground: ForegroundActivity

    /// Opens storage, imports the seed data when new, loads the look-ups and the calendar.
    public static func start(_ configuration: ServerConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) async throws -> Services {
        let storage = try await Storage.open(configuration, logger: logger)
        try await storage.seed(from: configuration.seedDirectory, logger: logger)
        let lookups = LookupService(store: storage.lookups, index: storage.searchIndex)
        try await lookups.reload()
        let calendar = WorkCalendar(days: try await storage.lookups.calendarDays().map { ($0.date, $0.kind) })
        let cipher = PersonalDataCipher(masterKey: try SecretKey.load(configuration))
        let bookings = BookingService(store: storage.bookings, offices: lookups, calendar: calendar, cipher: cipher,
                                      rules: configuration.bookingRules, peers: storage.officeChanges,
                                      attemptLimit: configuration.rateLimits.bookingAttempts.map(BookingAttemptLimit.init), now: now)
        try await bookings.loadRecentKeys()
        let socialOrgs = SocialOrgService(store: storage.socialOrgs, index: storage.searchIndex)
        try await socialOrgs.reload()
        let eldercare = EldercareService(store: storage.eldercare, index: storage.searchIndex, now: now)
        try await eldercare.reload()
        if configuration.notifyAllowPrivate {
            logger.warning("MINZHENG_NOTIFY_ALLOW_PRIVATE is set: webhooks may use http and private or loopback addresses; for local testing only")
        }
        let notifications = NotificationService(store: storage.notifications, offices: lookups, cipher: cipher,
                                                allowPrivate: configuration.notifyAllowPrivate, resolve: SystemResolver.resolveAsync, now: now)
        let serviceGuides = ServiceGuideService(store: storage.serviceCatalogue, isDivision: { lookups.catalog.division($0) != nil })
        try await serviceGuides.reload()
        let applications = ApplicationService(store: storage.applications, catalogue: serviceGuides, calendar: calendar, cipher: cipher,
                                              lookupLimit: configuration.rateLimits.applicationLookups.map(ApplicationLookupLimit.init), now: now)
        let foreground = ForegroundActivity()
        let worker = DeliveryWorker(store: storage.notifications, offices: lookups, cipher: cipher, options: configuration.delivery,
                                    foreground: foreground, logger: logger, now: now)
        return Services(storage: storage, lookups: lookups, identity: IdentityService(store: storage.identities, now: now),
                        bookings: bookings, socialOrgs: socialOrgs, eldercare: eldercare, notifications: notifications,
                        serviceGuides: serviceGuides, applications: applications, deliveryWorker: worker, foreground: foreground)
    }
}

/// Builds the whole service: storage migrated and seeded, look-ups loaded, routes registered.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) async throws -> some ApplicationProtocol {
    try buildApplication(configuration, services: try await Services.start(configuration, logger: logger, now: now), logger: logger)
}

/// Builds the routes over services already started (the tests share them with their own checks).
public func buildApplication(_ configuration: ServerConfiguration, services: Services, logger: Logger) throws -> some ApplicationProtocol {
    let lookups = services.lookups

    let router = Router(context: MinzhengRequestContext.self, options: .autoGenerateHeadEndpoints)
    let routes = RouteMethods()
    router.add(middleware: ProblemMiddleware(logger: logger, routes: routes))
    router.add(middleware: RequestLimitsMiddleware(maxURIBytes: configuration.maxURIBytes, maxHeaderBytes: configuration.maxHeaderBytes))
    router.add(middleware: QueryParameterMiddleware(routes: routes))
    router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes))
    router.add(middleware: NULCharacterMiddleware())
    router.add(middleware: AuthenticationMiddleware(identity: services.identity))
    if configuration.rateLimits.requests { router.add(middleware: RateLimitMiddleware(configuration.rateLimits)) }
    router.add(middleware: ConditionalGetMiddleware(lookups: lookups))
    let handler = APIHandler(lookups: lookups, identity: services.identity, bookings: services.bookings,
                             socialOrgs: services.socialOrgs, eldercare: services.eldercare, notifications: services.notifications,
                             serviceGuides: services.serviceGuides, applications: services.applications, bookingAdmission: ConcurrencyLimit(configuration.concurrentBookings), foreground: services.foreground)
    var transport = SkippingTransport(router: router, skipping: [], routes: routes)
    var prepareRendered: @Sendable () -> Void = {}
    if configuration.renderedLookups {
        let directory = DirectoryRenderer()
        directory.prepare(lookups.catalog)
        DirectoryRoutes(lookups: lookups, renderer: directory).register(on: router)
        let facilities = EldercareRenderer(), organisations = SocialOrgRenderer()
        prepareRendered = { [eldercare = services.eldercare, socialOrgs = services.socialOrgs] in
            facilities.prepare(eldercare.catalog)
            organisations.prepare(socialOrgs.registry)
        }
        prepareRendered()
        EldercareRoutes(eldercare: services.eldercare, renderer: facilities).register(on: router)
        SocialOrgRoutes(socialOrgs: services.socialOrgs, renderer: organisations).register(on: router)
        transport = SkippingTransport(
            router: router, skipping: DirectoryRoutes.operations.union(EldercareRoutes.operations).union(SocialOrgRoutes.operations), routes: routes)
    }
    try handler.registerHandlers(
        on: transport,
        configuration: Configuration(jsonEncodingOptions: [.withoutEscapingSlashes]),
        middlewares: [OpenAPIErrorMiddleware(logger: logger)])

    let watcher = PeriodicJob.datasetReloads(services.socialOrgs, services.eldercare, every: configuration.reloadInterval,
                                             reloaded: prepareRendered, logger: logger)
    return Application(
        router: router,
        // Headers past 64 KiB end the connection in the parser; RequestLimitsMiddleware answers 431 well before.
        server: .http1(configuration: .init(additionalChannelHandlers: [RequestReadDeadline(limit: .seconds(configuration.requestReadTimeout))],
                                            idleTimeout: .seconds(configuration.idleTimeout),
                                            httpDecoderConfiguration: .init(maxHeaderFieldSize: 64 * 1024, maxHeaderListSize: 64 * 1024, maxHeaderFieldCount: 200))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "minzheng"),
        services: [watcher] + (configuration.drawInterval.map { [PeriodicJob.draws(services.bookings, every: $0, logger: logger)] } ?? [])
            + (configuration.overdueInterval.map { [PeriodicJob.overdueApplications(services.applications, every: $0, logger: logger)] } ?? [])
            + (services.storage.officeChanges == nil ? [] : [PeriodicJob.peerOfficeChanges(services.bookings, logger: logger)])
            + (configuration.notifyWorker ? [services.deliveryWorker] : []) + (try services.storage.upkeep(logger: logger)),
        logger: logger)
}
