import Logging
import ServiceLifecycle

/// Runs services until SIGTERM or SIGINT, then shuts them down gracefully (the commands that serve no API).
public func runUntilSignalled(_ services: [any Service], logger: Logger) async throws {
    let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
    try await group.run()
}
