// Request counts and latency per deployment, counted in memory and added to the database
// every few seconds (one UPDATE per busy deployment, not one per prediction).
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

    func flush(on db: any Database, logger: Logger) async {
        let batch = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        guard let sql = db as? any SQLDatabase else { return }
        for (id, counts) in batch {
            do {
                try await sql.raw("""
                    UPDATE deployments SET requests = requests + \(bind: counts.requests), errors = errors + \(bind: counts.errors),
                        latency_total_ms = latency_total_ms + \(bind: counts.latencyMilliseconds), last_request_at = \(bind: counts.last)
                    WHERE id = \(bind: id)
                    """).run()
            } catch {
                logger.warning("cannot record prediction counts", metadata: ["deployment": "\(id)", "error": "\(error)"])
            }
        }
    }
}
