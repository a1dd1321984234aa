// Finds the deployment a prediction names, with its loaded model, without a database round
// trip per request: entries are kept for a couple of seconds (a re-pointed or unpublished
// deployment takes effect on other servers within that time, on this one at once).
import Fluent
import Foundation
import Synchronization

final class DeploymentDirectory: Sendable {
    struct Entry: Sendable {
        let deploymentID: UUID
        let keyHash: String
        let model: LoadedModel
        let loadedAt: Date
    }

    let models: ModelCache
    let lifetime: TimeInterval
    private let entries = Mutex<[String: Entry]>([:])

    init(models: ModelCache, lifetime: TimeInterval = 2) {
        self.models = models
        self.lifetime = lifetime
    }

    func entry(named name: String, on db: any Database) async throws -> Entry? {
        if let entry = entries.withLock({ $0[name] }), Date().timeIntervalSince(entry.loadedAt) < lifetime { return entry }
        guard let deployment = try await Deployment.query(on: db).filter(\.$name == name).with(\.$iteration).with(\.$project).first(),
              let model = try await models.model(for: deployment.iteration, task: deployment.project.task, on: db)
        else {
            forget(name)
            return nil
        }
        let entry = Entry(deploymentID: try deployment.requireID(), keyHash: deployment.keyHash, model: model, loadedAt: Date())
        entries.withLock { $0[name] = entry }
        return entry
    }

    func forget(_ name: String) {
        _ = entries.withLock { $0.removeValue(forKey: name) }
    }
}
