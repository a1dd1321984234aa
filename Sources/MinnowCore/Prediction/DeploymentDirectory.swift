// Finds the deployment a prediction names, with its loaded model, without a database round
// trip per request. An entry is fresh for a couple of seconds (a re-pointed or unpublished
// deployment takes effect on other servers within that time, on this one at once). After that
// the next request is answered from the stale entry while one lookup refreshes it in the
// background, and requests for a name not yet known share one lookup, so a busy deployment
// never sends its concurrent requests to the database together.
import FluentKit
import Foundation
import Prometheus
import Synchronization

package final class DeploymentDirectory: Sendable {
    package struct Entry: Sendable {
        package let deploymentID: UUID
        package let keyHash: String
        package let model: LoadedModel
        package let loadedAt: Date
        /// The daily quota and the day's count as the database held them at `loadedAt`.
        package let dailyQuota: Int?
        package let quotaDay: String?
        package let quotaUsed: Int
        /// This process's requests for the deployment that the database held before it was read.
        package let savedBeforeLoad: Int

        package func used(on day: String) -> Int { quotaDay == day ? quotaUsed : 0 }

        package init(
            deploymentID: UUID, keyHash: String, model: LoadedModel, loadedAt: Date, dailyQuota: Int?,
            quotaDay: String?, quotaUsed: Int, savedBeforeLoad: Int
        ) {
            self.deploymentID = deploymentID
            self.keyHash = keyHash
            self.model = model
            self.loadedAt = loadedAt
            self.dailyQuota = dailyQuota
            self.quotaDay = quotaDay
            self.quotaUsed = quotaUsed
            self.savedBeforeLoad = savedBeforeLoad
        }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var lookups: [String: Task<Entry?, any Error>] = [:]
        /// Bumped by `forget`, so a lookup that began before a change does not store its answer.
        var generation = 0
    }

    package let models: ModelCache
    package let lifetime: TimeInterval
    private let state = Mutex(State())
    /// Database lookups made (`minnow_deployment_lookups_total`): a few per deployment per lifetime.
    private let lookups: Counter

    /// The counters whose saved requests each entry notes (for daily quotas); nil in tools.
    package let stats: PredictionStats?

    package init(
        models: ModelCache, metrics: PrometheusCollectorRegistry, stats: PredictionStats? = nil,
        lifetime: TimeInterval = 2
    ) {
        self.models = models
        self.stats = stats
        self.lifetime = lifetime
        lookups = metrics.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "minnow", metricName: "deployment_lookups", unitName: "total",
                helpText: "Database lookups of a deployment and its model by the prediction API."))
    }

    package func entry(named name: String, on db: any Database) async throws -> Entry? {
        let (cached, lookup) = state.withLock { state -> (Entry?, Task<Entry?, any Error>?) in
            let cached = state.entries[name]
            if let cached, Date().timeIntervalSince(cached.loadedAt) < lifetime { return (cached, nil) }
            if let running = state.lookups[name] { return (cached, running) }
            let generation = state.generation
            let lookup = Task { try await self.lookUp(name, generation: generation, on: db) }
            state.lookups[name] = lookup
            return (cached, lookup)
        }
        if let cached { return cached }
        return try await lookup?.value
    }

    package func forget(_ name: String) {
        state.withLock { state in
            state.generation += 1
            state.entries[name] = nil
            state.lookups[name] = nil
        }
    }

    private func lookUp(_ name: String, generation: Int, on db: any Database) async throws -> Entry? {
        lookups.increment()
        var entry: Entry?
        let saved = stats?.savedSnapshot() ?? [:]
        do {
            if let deployment = try await Deployment.query(on: db).filter(\.$name == name).with(\.$iteration).with(
                \.$project
            ).first(),
                let model = try await models.model(for: deployment.iteration, task: deployment.project.task, on: db)
            {
                entry = Entry(
                    deploymentID: try deployment.requireID(), keyHash: deployment.keyHash, model: model,
                    loadedAt: Date(),
                    dailyQuota: deployment.dailyQuota, quotaDay: deployment.quotaDay, quotaUsed: deployment.quotaUsed,
                    savedBeforeLoad: saved[try deployment.requireID()] ?? 0)
            }
        } catch {
            state.withLock { if $0.generation == generation { $0.lookups[name] = nil } }
            throw error
        }
        state.withLock { state in
            guard state.generation == generation else { return }
            state.lookups[name] = nil
            state.entries[name] = entry
        }
        return entry
    }
}
