import Logging
import MinzhengCore
import ServiceLifecycle

/// Runs high-demand days' draws at their release: looks every second for draws whose moment has come.
struct DrawRunner: Service, CustomStringConvertible {
    let bookings: BookingService
    let logger: Logger
    let interval: Duration

    var description: String { "DrawRunner" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    for draw in try await bookings.runDueDraws() {
                        logger.info("draw run", metadata: ["office.id": "\(draw.officeID)", "draw.date": "\(draw.date)",
                                                           "draw.entries": "\(draw.entries.count)"])
                    }
                } catch {
                    logger.error("draw failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
