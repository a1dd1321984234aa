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
    /// Per deployment: requests this process answered, and how many of them are in the database.
    private let totals = Mutex<[UUID: (answered: Int, saved: Int)]>([:])
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
        if !failed { totals.withLock { $0[deploymentID, default: (0, 0)].answered += 1 } }
    }

    /// Requests this process answered for `deploymentID` (saved or not).
    func answered(_ deploymentID: UUID) -> Int {
        totals.withLock { $0[deploymentID]?.answered ?? 0 }
    }

    /// Per deployment, how many of this process's answered requests the database holds. Taken
    /// before a deployment is read, `answered − saved` is what that read cannot contain yet.
    func savedSnapshot() -> [UUID: Int] {
        totals.withLock { $0.mapValues(\.saved) }
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
                totals.withLock { $0[id, default: (0, 0)].saved += Int(counts.requests) }
            } catch {
                logger.warning("cannot record prediction counts", metadata: ["deployment": "\(id)", "error": "\(error)"])
            }
        }
    }
}
