import Foundation
import Hummingbird
import Logging
import MinzhengAPI
import MinzhengCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// The service's parts, wired once from the configuration. `minzheng serve`, the admin commands and the
/// tests share it.
public struct Services: Sendable {
    public let storage: Storage
    public let lookups: LookupService
    public let identity: IdentityService
    public let bookings: BookingService

    /// Opens storage, imports the seed data when new, loads the look-ups and the calendar.
    public static func start(_ configuration: ServerConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) async throws -> Services {
        let storage = try Storage.open(configuration)
        try await storage.seed(from: configuration.seedDirectory, logger: logger)
        let lookups = LookupService(store: storage.lookups)
        try await lookups.reload()
        let calendar = WorkCalendar(days: try await storage.lookups.calendarDays().map { ($0.date, $0.kind) })
        let cipher = PersonalDataCipher(masterKey: try SecretKey.load(configuration))
        let bookings = BookingService(store: storage.bookings, offices: lookups, calendar: calendar, cipher: cipher, now: now)
        try await bookings.loadRecentKeys()
        return Services(storage: storage, lookups: lookups, identity: IdentityService(store: storage.identities, now: now),
                        bookings: bookings)
    }
}

/// Builds the whole service: storage migrated and seeded, look-ups loaded, routes registered.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) async throws -> some ApplicationProtocol {
    let services = try await Services.start(configuration, logger: logger, now: now)
    let lookups = services.lookups

    let router = Router()
    router.add(middleware: ProblemMiddleware(logger: logger))
    router.add(middleware: BodyLimitMiddleware(maxBytes: configuration.maxBodyBytes))
    router.add(middleware: AuthenticationMiddleware(identity: services.identity))
    router.add(middleware: ConditionalGetMiddleware(lookups: lookups))
    let handler = APIHandler(lookups: lookups, identity: services.identity, bookings: services.bookings,
                             bookingAdmission: ConcurrencyLimit(configuration.concurrentBookings))
    var transport = SkippingTransport(router: router, skipping: [])
    if configuration.renderedLookups {
        let renderer = DirectoryRenderer()
        renderer.prepare(lookups.catalog)
        DirectoryRoutes(lookups: lookups, renderer: renderer).register(on: router)
        transport = SkippingTransport(router: router, skipping: DirectoryRoutes.operations)
    }
    try handler.registerHandlers(
        on: transport,
        configuration: Configuration(jsonEncodingOptions: [.withoutEscapingSlashes]),
        middlewares: [OpenAPIErrorMiddleware(logger: logger)])

    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "minzheng"),
        logger: logger)
}
