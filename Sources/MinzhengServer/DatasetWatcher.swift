import Logging
import MinzhengCore
import ServiceLifecycle

/// Picks up imports made while the service runs (`minzheng import ...` is another process): every few
/// seconds it compares the stored data-set versions with the loaded ones and reloads what changed, then
/// renders the new answers before any request needs them.
struct DatasetWatcher: Service {
    let socialOrgs: SocialOrgService
    let eldercare: EldercareService
    /// Called after a reload, to prepare what is derived from the new data (the pre-rendered JSON).
    let reloaded: @Sendable () -> Void
    let logger: Logger
    let interval: Duration

    func run() async throws {
        // Graceful shutdown (what the application's other services get) cancels the loop below.
        await cancelWhenGracefulShutdown { await self.watch() }
    }

    private func watch() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled: the service is stopping
            }
            do {
                let organisations = try await socialOrgs.reloadIfChanged()
                let facilities = try await eldercare.reloadIfChanged()
                if organisations || facilities {
                    reloaded()
                    logger.info("data reloaded after an import", metadata: [
                        "reload.social_orgs": "\(organisations)", "reload.eldercare": "\(facilities)",
                    ])
                }
            } catch where Task.isCancelled {
                return  // the service is stopping
            } catch {
                logger.warning("could not check for imported data", metadata: ["error.type": "\(type(of: error))"])
            }
        }
    }
}
