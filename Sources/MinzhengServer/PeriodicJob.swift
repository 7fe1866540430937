import Logging
import MinzhengCore
import MinzhengSQLite
import ServiceLifecycle

/// A piece of work run every `interval` for as long as the server runs; a failed round is logged and the next
/// one tries again. A round cut short because the server is stopping is not a failure and is not logged.
struct PeriodicJob: Service, CustomStringConvertible {
    let description: String
    let interval: Duration
    let logger: Logger
    let round: @Sendable () async throws -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await round()
                } catch where Task.isCancelled {
                    return
                } catch {
                    logger.error("\(description) failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Runs high-demand days' draws at their release: looks for draws whose moment has come.
    static func draws(_ bookings: BookingService, every interval: Duration, logger: Logger) -> PeriodicJob {
        PeriodicJob(description: "DrawRunner", interval: interval, logger: logger) {
            for draw in try await bookings.runDueDraws() {
                logger.info("draw run", metadata: ["office.id": "\(draw.officeID)", "draw.date": "\(draw.date)", "draw.entries": "\(draw.entries.count)"])
            }
        }
    }

    /// Listens for the office changes of the other processes on the database, listening again a second after
    /// the connection fails.
    static func peerOfficeChanges(_ bookings: BookingService, logger: Logger) -> PeriodicJob {
        PeriodicJob(description: "OfficeChangeListener", interval: .seconds(1), logger: logger) { try await bookings.hearPeers() }
    }

    /// Picks up imports made while the service runs (`minzheng import ...` is another process): compares the stored
    /// data-set versions with the loaded ones, reloads what changed, then `reloaded()` renders the new answers before
    /// any request needs them.
    static func datasetReloads(_ socialOrgs: SocialOrgService, _ eldercare: EldercareService, every interval: Duration,
                               reloaded: @escaping @Sendable () -> Void, logger: Logger) -> PeriodicJob {
        PeriodicJob(description: "DatasetWatcher", interval: interval, logger: logger) {
            let organisations = try await socialOrgs.reloadIfChanged()
            let facilities = try await eldercare.reloadIfChanged()
            guard organisations || facilities else { return }
            reloaded()
            logger.info("data reloaded after an import", metadata: ["reload.social_orgs": "\(organisations)", "reload.eldercare": "\(facilities)"])
        }
    }

    /// Raises `application.overdue` for applications that passed their promised date undecided.
    static func overdueApplications(_ applications: ApplicationService, every interval: Duration, logger: Logger) -> PeriodicJob {
        PeriodicJob(description: "OverdueApplications", interval: interval, logger: logger) {
            let noted = try await applications.noteOverdue()
            if noted > 0 { logger.notice("overdue applications reported", metadata: ["applications.overdue": "\(noted)"]) }
        }
    }

    /// Copies SQLite's write-ahead log into the database file as soon as it is due, so that commits seldom have to.
    static func walCheckpoints(_ checkpointer: WALCheckpointer, logger: Logger) -> PeriodicJob {
        PeriodicJob(description: "WALCheckpointer", interval: .milliseconds(50), logger: logger) {
            if let copy = try await checkpointer.checkpointIfDue() {
                logger.trace("WAL checkpoint", metadata: ["wal.pages": "\(copy.inLog)", "wal.copied": "\(copy.copied)"])
            }
        }
    }
}
