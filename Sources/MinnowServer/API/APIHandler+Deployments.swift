// Deployments: publish a trained iteration under a name with its own prediction key,
// re-point it, rotate its key, unpublish, and list with request counts and latency.
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func listDeployments(_ input: Operations.ListDeployments.Input) async throws -> Operations.ListDeployments.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let published = try await deployments(db).list(in: project)
            let now = dependencies.clock()
            return .ok(.init(body: .json(.init(items: try published.map { try $0.api(now: now) }))))
        }
    }

    func createDeployment(_ input: Operations.CreateDeployment.Input) async throws -> Operations.CreateDeployment.Output
    {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .write, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            switch try await deployments(db).publish(
                body.iterationId, of: project, as: body.name, dailyQuota: body.dailyQuota)
            {
            case .success(let (deployment, key)):
                CurrentRequest.logger.info(
                    "deployment published",
                    metadata: ["deployment": "\(body.name)", "iteration": "\(deployment.iteration.number)"])
                return .created(
                    .init(
                        body: .json(
                            .init(
                                value1: try deployment.api(now: dependencies.clock()), value2: .init(predictionKey: key)
                            ))))
            case .failure(.notFound(let what)): return .notFound(.init(body: .json(.notFound(what))))
            case .failure(.conflict(let message, _)): return .conflict(.init(body: .json(.conflict(message))))
            case .failure(let failure): return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
        }
    }

    func updateDeployment(_ input: Operations.UpdateDeployment.Input) async throws -> Operations.UpdateDeployment.Output
    {
        try await answer { principal, db in
            guard
                let (project, deployment) = try await deployment(
                    input.path.projectId, input.path.deployment, principal, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Deployment"))))
            }
            guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
            guard body.iterationId != nil || body.dailyQuota != nil else {
                return .unprocessableContent(.init(body: .json(.invalid("Give iterationId, dailyQuota or both."))))
            }
            if let quota = body.dailyQuota,
                case .failure(let failure) = try await deployments(db).setDailyQuota(deployment, to: quota)
            {
                return .unprocessableContent(.init(body: .json(.invalid(failure.message))))
            }
            if let iterationID = body.iterationId {
                switch try await deployments(db).repoint(deployment, to: iterationID, of: project) {
                case .success: break
                case .failure(.notFound(let what)): return .notFound(.init(body: .json(.notFound(what))))
                case .failure(let failure): return .conflict(.init(body: .json(.conflict(failure.message))))
                }
            }
            return .ok(.init(body: .json(try deployment.api(now: dependencies.clock()))))
        }
    }

    func deleteDeployment(_ input: Operations.DeleteDeployment.Input) async throws -> Operations.DeleteDeployment.Output
    {
        try await answer { principal, db in
            guard
                let (_, deployment) = try await deployment(
                    input.path.projectId, input.path.deployment, principal, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Deployment"))))
            }
            try await deployments(db).unpublish(deployment)
            return .noContent(.init())
        }
    }

    func rotateDeploymentKey(
        _ input: Operations.RotateDeploymentKey.Input
    ) async throws -> Operations.RotateDeploymentKey.Output {
        try await answer { principal, db in
            guard
                let (_, deployment) = try await deployment(
                    input.path.projectId, input.path.deployment, principal, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Deployment"))))
            }
            let key = try await deployments(db).rotateKey(deployment)
            return .ok(
                .init(
                    body: .json(
                        .init(value1: try deployment.api(now: dependencies.clock()), value2: .init(predictionKey: key)))
                ))
        }
    }

    private func deployments(_ db: any Database) -> Deployments {
        Deployments(db: db, directory: services.deployments)
    }

    /// A deployment of the project, if the principal may change the project (`write`).
    private func deployment(
        _ projectID: String, _ name: String, _ principal: Principal, on db: any Database
    ) async throws -> (Project, Deployment)? {
        guard let project = try await project(projectID, principal, .write, on: db),
            let deployment = try await deployments(db).find(name, in: project)
        else { return nil }
        return (project, deployment)
    }
}

extension Deployment {
    func api(now: Date) throws -> Components.Schemas.Deployment {
        .init(
            id: try requireID().apiString, name: name, projectId: $project.id.apiString,
            iterationId: $iteration.id.apiString,
            iterationNumber: $iteration.value?.number ?? 0, endpoint: "/v1/predict/\(name)", keyPrefix: keyPrefix,
            requests: Int(requests), errors: Int(errors), dailyQuota: dailyQuota,
            usedToday: used(on: PredictionQuota.day(of: now)),
            averageLatencyMs: requests > 0 ? latencyTotalMilliseconds / Double(requests) : nil,
            lastRequestAt: lastRequestAt,
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date())
    }
}

extension Operations.ListDeployments.Output: RefusableOutput {}
extension Operations.CreateDeployment.Output: RefusableOutput {}
extension Operations.UpdateDeployment.Output: RefusableOutput {}
extension Operations.DeleteDeployment.Output: RefusableOutput {}
extension Operations.RotateDeploymentKey.Output: RefusableOutput {}
