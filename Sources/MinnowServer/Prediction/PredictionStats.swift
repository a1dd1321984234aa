// Request counts and latency per deployment, counted in memory and added to the database
// every few seconds (one UPDATE per busy deployment, not one per prediction), together with
// the day's count its daily quota is checked against (`PredictionQuota`).
import Fluent
import Foundation
import SQLKit
import Synchronization
import Vapor

final class PredictionStats: LifecycleHandler, Sendable {
    struct Counts: Sendable {
        var requests: Int64 = 0
        var errors: Int64 = 0
        var latencyMilliseconds: Double = 0
        var last = Date.distantPast
    }

    let interval: Duration
    private let pending = Mutex<[UUID: Counts]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(interval: Duration = .seconds(2)) {
        self.interval = interval
    }

    func record(_ deploymentID: UUID, milliseconds: Double, failed: Bool) {
        pending.withLock { pending in
            var counts = pending[deploymentID, default: Counts()]
            if failed { counts.errors += 1 } else { counts.requests += 1; counts.latencyMilliseconds += milliseconds }
            counts.last = Date()
            pending[deploymentID] = counts
        }
    }

    /// Predictions answered for `deploymentID` that are not in the database yet.
    func unsavedRequests(_ deploymentID: UUID) -> Int {
        pending.withLock { Int($0[deploymentID]?.requests ?? 0) }
    }

    func didBootAsync(_ application: Application) async throws {
        let interval = self.interval
        let loop = Task { [weak application] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let application, !Task.isCancelled else { return }
                await self.flush(on: application.db, logger: application.logger)
            }
        }
        task.withLock { $0 = loop }
    }

    func shutdownAsync(_ application: Application) async {
        task.withLock { $0?.cancel() }
        await flush(on: application.db, logger: application.logger)
    }

    func flush(on db: any Database, logger: Logger, now: Date = Date()) async {
        let batch = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        guard let sql = db as? any SQLDatabase else { return }
        let today = PredictionQuota.day(of: now)
        for (id, counts) in batch {
            do {
                try await sql.raw("""
                    UPDATE deployments SET requests = requests + \(bind: counts.requests), errors = errors + \(bind: counts.errors),
                        latency_total_ms = latency_total_ms + \(bind: counts.latencyMilliseconds), last_request_at = \(bind: counts.last),
                        quota_used = CASE WHEN quota_day = \(bind: today) THEN quota_used + \(bind: counts.requests) ELSE \(bind: counts.requests) END,
                        quota_day = \(bind: today)
                    WHERE id = \(bind: id)
                    """).run()
            } catch {
                logger.warning("cannot record prediction counts", metadata: ["deployment": "\(id)", "error": "\(error)"])
            }
        }
    }
}
