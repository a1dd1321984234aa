// Deployment actions shared by the JSON API and the web pages: list, publish a trained
// iteration under a name (its prediction key is returned once), re-point, rotate the key,
// unpublish. The directory of loaded deployments forgets a name whenever it changes.
import FluentKit
import Foundation

package struct Deployments {
    package let db: any Database
    package let directory: DeploymentDirectory

    package func list(in project: Project) async throws -> [Deployment] {
        try await Deployment.query(on: db).filter(\.$project.$id == project.requireID()).with(\.$iteration).sort(
            \.$name
        ).all()
    }

    /// The deployment `name` of `project`, with its iteration loaded.
    package func find(_ name: String, in project: Project) async throws -> Deployment? {
        try await Deployment.query(on: db).filter(\.$project.$id == project.requireID()).filter(\.$name == name).with(
            \.$iteration
        ).first()
    }

    package func publish(
        _ iterationID: String, of project: Project, as name: String, dailyQuota: Int? = nil
    ) async throws -> Result<(deployment: Deployment, key: String), DomainFailure> {
        if let problem = DeploymentNames.problem(with: name) { return .failure(.invalid(problem, field: "name")) }
        if let dailyQuota, dailyQuota < 1 {
            return .failure(
                .invalid("A daily quota is at least 1 prediction; omit it for no quota.", field: "dailyQuota"))
        }
        let iteration: Iteration
        switch try await trainedIteration(iterationID, of: project) {
        case .success(let found): iteration = found
        case .failure(let failure): return .failure(failure)
        }
        let taken = DomainFailure.conflict("The deployment name \"\(name)\" is taken; choose another.", field: "name")
        if try await Deployment.query(on: db).filter(\.$name == name).first() != nil { return .failure(taken) }
        let key = APIKeySecrets.generate(marker: APIKeySecrets.predictionMarker)
        let deployment = Deployment()
        deployment.$project.id = try project.requireID()
        deployment.$iteration.id = try iteration.requireID()
        deployment.name = name
        deployment.keyPrefix = APIKeySecrets.prefix(of: key)
        deployment.keyHash = APIKeySecrets.hash(key)
        deployment.requests = 0
        deployment.errors = 0
        deployment.latencyTotalMilliseconds = 0
        deployment.dailyQuota = dailyQuota
        deployment.quotaUsed = 0
        do {
            try await deployment.create(on: db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .failure(taken)
        }
        deployment.$iteration.value = iteration
        return .success((deployment, key))
    }

    /// Serves another trained iteration under the same name and key.
    package func repoint(
        _ deployment: Deployment, to iterationID: String, of project: Project
    ) async throws -> Result<Deployment, DomainFailure> {
        let iteration: Iteration
        switch try await trainedIteration(iterationID, of: project) {
        case .success(let found): iteration = found
        case .failure(let failure): return .failure(failure)
        }
        deployment.$iteration.id = try iteration.requireID()
        try await deployment.save(on: db)
        deployment.$iteration.value = iteration
        directory.forget(deployment.name)
        return .success(deployment)
    }

    /// Sets the predictions the key may make per UTC day; 0 removes the quota. Takes effect on
    /// this server at once, on others within the directory's refresh (two seconds).
    package func setDailyQuota(
        _ deployment: Deployment, to quota: Int
    ) async throws -> Result<Deployment, DomainFailure> {
        guard quota >= 0 else {
            return .failure(.invalid("A daily quota is 0 (no quota) or more predictions.", field: "dailyQuota"))
        }
        deployment.dailyQuota = quota == 0 ? nil : quota
        try await deployment.save(on: db)
        directory.forget(deployment.name)
        return .success(deployment)
    }

    /// A new prediction key; the old one stops working at once.
    package func rotateKey(_ deployment: Deployment) async throws -> String {
        let key = APIKeySecrets.generate(marker: APIKeySecrets.predictionMarker)
        deployment.keyPrefix = APIKeySecrets.prefix(of: key)
        deployment.keyHash = APIKeySecrets.hash(key)
        try await deployment.save(on: db)
        directory.forget(deployment.name)
        return key
    }

    package func unpublish(_ deployment: Deployment) async throws {
        try await deployment.delete(on: db)
        directory.forget(deployment.name)
    }

    private func trainedIteration(_ id: String, of project: Project) async throws -> Result<Iteration, DomainFailure> {
        guard let id = UUID(uuidString: id),
            let iteration = try await Iteration.query(on: db).filter(\.$id == id).filter(
                \.$project.$id == project.requireID()
            ).first()
        else { return .failure(.notFound("Iteration")) }
        guard iteration.status == .succeeded else {
            return .failure(
                .conflict(
                    "Iteration \(iteration.number) is \(iteration.status.rawValue); only a trained iteration can be published.",
                    field: "iterationId"))
        }
        return .success(iteration)
    }

    package init(db: any Database, directory: DeploymentDirectory) {
        self.db = db
        self.directory = directory
    }
}

/// Deployment names are the endpoint's last path segment.
package enum DeploymentNames {
    package static func problem(with name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (1...63).contains(name.count), name.allSatisfy(allowed.contains), name.first != "-", name.last != "-"
        else {
            return
                "A deployment name has 1–63 lowercase letters, digits and dashes, and does not start or end with a dash."
        }
        return nil
    }
}
