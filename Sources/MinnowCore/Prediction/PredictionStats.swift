// Request counts and latency per deployment, counted in memory and added to the database
// every few seconds (one UPDATE per busy deployment, not one per prediction), together with
// the day's count its daily quota is checked against (`PredictionQuota`).
import FluentKit
import Foundation
import SQLKit
import Synchronization

package final class PredictionStats: Sendable {
    package struct Counts: Sendable {
        package var requests: Int64 = 0
        package var errors: Int64 = 0
        package var latencyMilliseconds: Double = 0
        package var last = Date.distantPast

        package init(requests: Int64 = 0, errors: Int64 = 0, latencyMilliseconds: Double = 0) {
            self.requests = requests
            self.errors = errors
            self.latencyMilliseconds = latencyMilliseconds
        }
    }

    package let interval: Duration
    private let pending = Mutex<[UUID: Counts]>([:])
    /// Per deployment: requests this process answered, and how many of them are in the database.
    private let totals = Mutex<[UUID: (answered: Int, saved: Int)]>([:])
    private let task = Mutex<Task<Void, Never>?>(nil)

    package init(interval: Duration = .seconds(2)) {
        self.interval = interval
    }

    package func record(_ deploymentID: UUID, milliseconds: Double, failed: Bool) {
        pending.withLock { pending in
            var counts = pending[deploymentID, default: Counts()]
            if failed { counts.errors += 1 } else { counts.requests += 1; counts.latencyMilliseconds += milliseconds }
            counts.last = Date()
            pending[deploymentID] = counts
        }
        if !failed { totals.withLock { $0[deploymentID, default: (0, 0)].answered += 1 } }
    }

    /// Requests this process answered for `deploymentID` (saved or not).
    package func answered(_ deploymentID: UUID) -> Int {
        totals.withLock { $0[deploymentID]?.answered ?? 0 }
    }

    /// Per deployment, how many of this process's answered requests the database holds. Taken
    /// before a deployment is read, `answered − saved` is what that read cannot contain yet.
    package func savedSnapshot() -> [UUID: Int] {
        totals.withLock { $0.mapValues(\.saved) }
    }

    /// Adds the counts to the database every `interval`, on the database `database` gives at
    /// that moment (nil once the server has gone), until `stopFlushing`.
    package func startFlushing(logger: Logger, database: @escaping @Sendable () -> (any Database)?) {
        let interval = self.interval
        let loop = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard !Task.isCancelled, let db = database() else { return }
                await self.flush(on: db, logger: logger)
            }
        }
        task.withLock { $0 = loop }
    }

    /// Stops the periodic flush and adds what is still pending.
    package func stopFlushing(on db: any Database, logger: Logger) async {
        task.withLock { $0?.cancel() }
        await flush(on: db, logger: logger)
    }

    package func flush(on db: any Database, logger: Logger, now: Date = Date()) async {
        let batch = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        guard let sql = db as? any SQLDatabase else { return }
        let today = PredictionQuota.day(of: now)
        for (id, counts) in batch {
            do {
                try await sql.raw(
                    """
                    UPDATE deployments SET requests = requests + \(bind: counts.requests), errors = errors + \(bind: counts.errors),
                        latency_total_ms = latency_total_ms + \(bind: counts.latencyMilliseconds), last_request_at = \(bind: counts.last),
                        quota_used = CASE WHEN quota_day = \(bind: today) THEN quota_used + \(bind: counts.requests) ELSE \(bind: counts.requests) END,
                        quota_day = \(bind: today)
                    WHERE id = \(bind: id)
                    """
                ).run()
                totals.withLock { $0[id, default: (0, 0)].saved += Int(counts.requests) }
            } catch {
                logger.warning(
                    "cannot record prediction counts", metadata: ["deployment": "\(id)", "error": "\(error)"])
            }
        }
    }
}
