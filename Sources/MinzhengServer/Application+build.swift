import Hummingbird
import Logging
import MinzhengAPI
import MinzhengCore
import OpenAPIHummingbird
import OpenAPIRuntime

/// Builds the whole service: storage migrated and seeded, look-ups loaded, routes registered.
/// `minzheng serve` and the tests share it.
public func buildApplication(_ configuration: ServerConfiguration, logger: Logger) async throws -> some ApplicationProtocol {
    let storage = try Storage.open(configuration)
    try await storage.seed(from: configuration.seedDirectory, logger: logger)
    let lookups = LookupService(store: storage.lookups)
    try await lookups.reload()

    let router = Router()
    router.add(middleware: ProblemMiddleware(logger: logger))
    router.add(middleware: ConditionalGetMiddleware(lookups: lookups))
    let handler = APIHandler(lookups: lookups)
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
