// Iterations: start training, list, inspect, cancel, delete. Live progress is in
// APIHandler+IterationEvents.swift; evaluation, quick tests and artifacts beside it.
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func createIteration(_ input: Operations.CreateIteration.Input) async throws -> Operations.CreateIteration.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .write, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let request: TrainingRequest?
            switch input.body {
            case .json(let body): request = TrainingRequest(body)
            case .none: request = nil
            }
            switch try await IterationLauncher.launch(
                project: project, ownerID: principal.userID, request: request, on: db)
            {
            case .refused(let refusal):
                return .unprocessableContent(.init(body: .json(.invalid(refusal.message))))
            case .started(let iteration, let job):
                CurrentRequest.logger.info(
                    "iteration queued",
                    metadata: ["iteration": "\(iteration.id!)", "job": "\(job.id!)", "number": "\(iteration.number)"])
                return .accepted(.init(body: .json(try iteration.api(job: job))))
            }
        }
    }

    func listIterations(_ input: Operations.ListIterations.Input) async throws -> Operations.ListIterations.Output {
        try await answer { principal, db in
            guard let project = try await project(input.path.projectId, principal, .read, on: db) else {
                return .notFound(.init(body: .json(.notFound("Project"))))
            }
            let page = Paging(page: input.query.page, perPage: input.query.perPage)
            let (found, total) = try await Iterations(db: db).list(in: project, page: page)
            let items = try found.map { try $0.iteration.api(job: $0.job, includeResults: false) }
            return .ok(.init(body: .json(.init(items: items, metadata: page.metadata(total: total)))))
        }
    }

    func getIteration(_ input: Operations.GetIteration.Input) async throws -> Operations.GetIteration.Output {
        try await answer { principal, db in
            guard
                let (iteration, job) = try await iteration(
                    input.path.projectId, input.path.iterationId, principal, .read, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Iteration"))))
            }
            return .ok(.init(body: .json(try iteration.api(job: job))))
        }
    }

    func cancelIteration(_ input: Operations.CancelIteration.Input) async throws -> Operations.CancelIteration.Output {
        try await answer { principal, db in
            guard
                let (iteration, job) = try await iteration(
                    input.path.projectId, input.path.iterationId, principal, .write, on: db),
                let job
            else {
                return .notFound(.init(body: .json(.notFound("Iteration"))))
            }
            if case .failure(let failure) = try await Iterations(db: db).cancel(iteration, job: job) {
                return .conflict(.init(body: .json(.conflict(failure.message))))
            }
            guard
                let (updated, updatedJob) = try await self.iteration(
                    input.path.projectId, input.path.iterationId, principal, .read, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Iteration"))))
            }
            return .ok(.init(body: .json(try updated.api(job: updatedJob))))
        }
    }

    func deleteIteration(_ input: Operations.DeleteIteration.Input) async throws -> Operations.DeleteIteration.Output {
        try await answer { principal, db in
            guard
                let (iteration, job) = try await iteration(
                    input.path.projectId, input.path.iterationId, principal, .write, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Iteration"))))
            }
            if case .failure(let failure) = try await Iterations(db: db).delete(iteration, job: job) {
                return .conflict(.init(body: .json(.conflict(failure.message))))
            }
            services.models.forget(try iteration.requireID())
            return .noContent(.init())
        }
    }

    /// The iteration (and its train job) if the principal may act on its project.
    func iteration(
        _ projectID: String, _ iterationID: String, _ principal: Principal, _ permission: Permission,
        on db: any Database
    ) async throws -> (Iteration, Job?)? {
        guard let project = try await project(projectID, principal, permission, on: db) else { return nil }
        return try await Iterations(db: db).find(iterationID, in: project).map { ($0.iteration, $0.job) }
    }
}

extension Iteration {
    func api(job: Job?, includeResults: Bool = true) throws -> Components.Schemas.Iteration {
        try .init(
            id: requireID().apiString, projectId: $project.id.apiString, number: number, note: note,
            status: .init(status),
            configuration: .init(storedConfiguration()),
            dataset: .init(storedDatasetSummary()),
            progress: storedProgress().map(Components.Schemas.TrainingProgress.init),
            results: includeResults ? storedResults().map(Components.Schemas.IterationResults.init) : nil,
            error: error, attempts: job?.attempts ?? 0, jobId: job?.id?.apiString,
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date(), startedAt: startedAt,
            finishedAt: finishedAt
        )
    }
}

extension Operations.CreateIteration.Output: RefusableOutput {}
extension Operations.ListIterations.Output: RefusableOutput {}
extension Operations.GetIteration.Output: RefusableOutput {}
extension Operations.CancelIteration.Output: RefusableOutput {}
extension Operations.DeleteIteration.Output: RefusableOutput {}
