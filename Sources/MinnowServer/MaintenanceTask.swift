// Periodic housekeeping while the server runs (and once at start): forget revoked tokens that
// have expired anyway and sign-in counters whose window ended, end jobs whose process vanished,
// expire camera frames as each project's retention says, delete archives no import holds and
// blobs nothing refers to any more.
import Fluent
import MinnowCore
import Synchronization
import Vapor

final class MaintenanceTask: LifecycleHandler, Sendable {
    let interval: Duration
    let spool: URL
    let metrics: CameraMetrics?
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(interval: Duration, spool: URL, metrics: CameraMetrics? = nil) {
        self.interval = interval
        self.spool = spool
        self.metrics = metrics
    }

    func didBootAsync(_ application: Application) async throws {
        let interval = self.interval, spool = self.spool, metrics = self.metrics
        let loop = Task { [weak application] in
            while !Task.isCancelled {
                guard let application else { return }
                await Self.run(on: application.db, spool: spool, logger: application.logger, metrics: metrics)
                try? await Task.sleep(for: interval)
            }
        }
        task.withLock { $0 = loop }
    }

    func shutdownAsync(_ application: Application) async {
        task.withLock { $0?.cancel() }
    }

    static func run(
        on db: any Database, spool: URL, logger: Logger, metrics: CameraMetrics? = nil, gracePeriod: TimeInterval = 3600
    ) async {
        do {
            try await RevokedToken.query(on: db).filter(\.$expiresAt < Date()).delete()
            try await LoginRateLimiter.removeExpired(on: db)
            try await JobQueue(db: db).reapExpired()
            try await ImportJob.removeAbandonedArchives(in: spool, on: db)
            let expired = try await FrameRetention.run(on: db, metrics: metrics)
            if expired > 0 { logger.info("maintenance", metadata: ["frames_expired": "\(expired)"]) }
            let removed = try await DatabaseBlobStore(database: db, references: BlobReferences.all).collectGarbage(
                gracePeriod: gracePeriod)
            if removed > 0 { logger.info("maintenance", metadata: ["blobs_removed": "\(removed)"]) }
        } catch {
            logger.warning("maintenance failed", metadata: ["error": "\(error)"])
        }
    }
}
