// Periodic housekeeping while the server runs: forget revoked tokens that have expired
// anyway, and delete blobs nothing refers to any more.
import Fluent
import Synchronization
import Vapor

final class MaintenanceTask: LifecycleHandler, Sendable {
    let interval: Duration
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(interval: Duration) {
        self.interval = interval
    }

    func didBootAsync(_ application: Application) async throws {
        let interval = self.interval
        let loop = Task { [weak application] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let application, !Task.isCancelled else { return }
                await Self.run(on: application.db, logger: application.logger)
            }
        }
        task.withLock { $0 = loop }
    }

    func shutdownAsync(_ application: Application) async {
        task.withLock { $0?.cancel() }
    }

    static func run(on db: any Database, logger: Logger, gracePeriod: TimeInterval = 3600) async {
        do {
            try await RevokedToken.query(on: db).filter(\.$expiresAt < Date()).delete()
            let removed = try await DatabaseBlobStore(database: db, references: BlobReferences.all).collectGarbage(gracePeriod: gracePeriod)
            if removed > 0 { logger.info("maintenance", metadata: ["blobs_removed": "\(removed)"]) }
        } catch {
            logger.warning("maintenance failed", metadata: ["error": "\(error)"])
        }
    }
}
