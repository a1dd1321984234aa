// Deployments: publish a trained iteration under a name with its own prediction key,
// re-point it, rotate its key, unpublish, and list with request counts and latency.
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func listDeployments(_ input: Operations.ListDeployments.Input) async throws -> Operations.ListDeployments.Output {
        let (request, principal) = try await authenticated()
        guard let project = try await project(input.path.projectId, principal, .read, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        let deployments = try await Deployment.query(on: request.db).filter(\.$project.$id == project.requireID())
            .with(\.$iteration).sort(\.$name).all()
        return .ok(.init(body: .json(.init(items: try deployments.map { try $0.api() }))))
    }

    func createDeployment(_ input: Operations.CreateDeployment.Input) async throws -> Operations.CreateDeployment.Output {
        let (request, principal) = try await authenticated()
        guard let project = try await project(input.path.projectId, principal, .write, request) else {
            return .notFound(.init(body: .json(.notFound("Project"))))
        }
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        if let problem = DeploymentNames.problem(with: body.name) { return .unprocessableContent(.init(body: .json(.invalid(problem)))) }
        guard let iteration = try await trainedIteration(body.iterationId, of: project, on: request.db) else {
            return .notFound(.init(body: .json(.notFound("Iteration"))))
        }
        guard iteration.status == "succeeded" else {
            return .conflict(.init(body: .json(.conflict("Iteration \(iteration.number) is \(iteration.status); only a trained iteration can be published."))))
        }
        if try await Deployment.query(on: request.db).filter(\.$name == body.name).first() != nil {
            return .conflict(.init(body: .json(.conflict("The deployment name \"\(body.name)\" is taken; choose another."))))
        }
        let key = APIKeySecrets.generate(marker: APIKeySecrets.predictionMarker)
        let deployment = Deployment()
        deployment.$project.id = try project.requireID()
        deployment.$iteration.id = try iteration.requireID()
        deployment.name = body.name
        deployment.keyPrefix = APIKeySecrets.prefix(of: key)
        deployment.keyHash = APIKeySecrets.hash(key)
        deployment.requests = 0
        deployment.errors = 0
        deployment.latencyTotalMilliseconds = 0
        do {
            try await deployment.create(on: request.db)
        } catch let error as any DatabaseError where error.isConstraintFailure {
            return .conflict(.init(body: .json(.conflict("The deployment name \"\(body.name)\" is taken; choose another."))))
        }
        deployment.$iteration.value = iteration
        request.logger.info("deployment published", metadata: ["deployment": "\(body.name)", "iteration": "\(iteration.number)"])
        return .created(.init(body: .json(.init(value1: try deployment.api(), value2: .init(predictionKey: key)))))
    }

    func updateDeployment(_ input: Operations.UpdateDeployment.Input) async throws -> Operations.UpdateDeployment.Output {
        let (request, principal) = try await authenticated()
        guard let (project, deployment) = try await deployment(input.path.projectId, input.path.deployment, principal, request) else {
            return .notFound(.init(body: .json(.notFound("Deployment"))))
        }
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        guard let iteration = try await trainedIteration(body.iterationId, of: project, on: request.db) else {
            return .notFound(.init(body: .json(.notFound("Iteration"))))
        }
        guard iteration.status == "succeeded" else {
            return .conflict(.init(body: .json(.conflict("Iteration \(iteration.number) is \(iteration.status); only a trained iteration can be published."))))
        }
        deployment.$iteration.id = try iteration.requireID()
        try await deployment.save(on: request.db)
        deployment.$iteration.value = iteration
        services.deployments.forget(deployment.name)
        return .ok(.init(body: .json(try deployment.api())))
    }

    func deleteDeployment(_ input: Operations.DeleteDeployment.Input) async throws -> Operations.DeleteDeployment.Output {
        let (request, principal) = try await authenticated()
        guard let (_, deployment) = try await deployment(input.path.projectId, input.path.deployment, principal, request) else {
            return .notFound(.init(body: .json(.notFound("Deployment"))))
        }
        try await deployment.delete(on: request.db)
        services.deployments.forget(deployment.name)
        return .noContent(.init())
    }

    func rotateDeploymentKey(_ input: Operations.RotateDeploymentKey.Input) async throws -> Operations.RotateDeploymentKey.Output {
        let (request, principal) = try await authenticated()
        guard let (_, deployment) = try await deployment(input.path.projectId, input.path.deployment, principal, request) else {
            return .notFound(.init(body: .json(.notFound("Deployment"))))
        }
        let key = APIKeySecrets.generate(marker: APIKeySecrets.predictionMarker)
        deployment.keyPrefix = APIKeySecrets.prefix(of: key)
        deployment.keyHash = APIKeySecrets.hash(key)
        try await deployment.save(on: request.db)
        services.deployments.forget(deployment.name)
        try await deployment.$iteration.load(on: request.db)
        return .ok(.init(body: .json(.init(value1: try deployment.api(), value2: .init(predictionKey: key)))))
    }

    private func deployment(_ projectID: String, _ name: String, _ principal: Principal, _ request: Request) async throws -> (Project, Deployment)? {
        guard let project = try await project(projectID, principal, .write, request),
              let deployment = try await Deployment.query(on: request.db).filter(\.$project.$id == project.requireID())
                .filter(\.$name == name).with(\.$iteration).first()
        else { return nil }
        return (project, deployment)
    }

    private func trainedIteration(_ id: String, of project: Project, on db: any Database) async throws -> Iteration? {
        guard let id = UUID(uuidString: id) else { return nil }
        return try await Iteration.query(on: db).filter(\.$id == id).filter(\.$project.$id == project.requireID()).first()
    }
}

/// Deployment names are the endpoint's last path segment.
enum DeploymentNames {
    static func problem(with name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (1...63).contains(name.count), name.allSatisfy(allowed.contains), name.first != "-", name.last != "-" else {
            return "A deployment name has 1–63 lowercase letters, digits and dashes, and does not start or end with a dash."
        }
        return nil
    }
}

extension Deployment {
    func api() throws -> Components.Schemas.Deployment {
        .init(id: try requireID().apiString, name: name, projectId: $project.id.apiString, iterationId: $iteration.id.apiString,
              iterationNumber: $iteration.value?.number ?? 0, endpoint: "/v1/predict/\(name)", keyPrefix: keyPrefix,
              requests: Int(requests), errors: Int(errors),
              averageLatencyMs: requests > 0 ? latencyTotalMilliseconds / Double(requests) : nil, lastRequestAt: lastRequestAt,
              createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date())
    }
}
