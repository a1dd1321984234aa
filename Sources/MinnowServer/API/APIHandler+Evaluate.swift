// Testing a trained iteration without touching any dataset: a job on another set of
// labelled images (a zip, or another project of the same owner), or one image at once.
import APITypes
import Fluent
import Foundation
import MinnowCore
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func evaluateIteration(
        _ input: Operations.EvaluateIteration.Input
    ) async throws -> Operations.EvaluateIteration.Output {
        try await answer { principal, db in
            guard
                let (iteration, _) = try await iteration(
                    input.path.projectId, input.path.iterationId, principal, .write, on: db)
            else {
                return .notFound(.init(body: .json(.notFound("Iteration"))))
            }
            guard iteration.status == .succeeded else {
                return .conflict(
                    .init(
                        body: .json(
                            .conflict(
                                "Iteration \(iteration.number) is \(iteration.status.rawValue); only a trained iteration can be evaluated."
                            ))))
            }
            let job = Job(ownerID: principal.userID, projectID: iteration.$project.id, kind: .evaluate)
            job.iterationID = iteration.id
            switch input.body {
            case .applicationZip(let body):
                let archive = Data(try await ArraySlice(collecting: body, upTo: Limits.evaluationArchiveBytes))
                job.inputBlobID = try await blobStore(on: db).put(archive).hex
            case .json(let body):
                guard let other = try await project(body.projectId, principal, .read, on: db) else {
                    return .notFound(.init(body: .json(.notFound("Project"))))
                }
                job.payload = try JSONText.encode(
                    JobPayload.Evaluate(projectId: try other.requireID(), split: body.split?.domain))
            }
            try await job.create(on: db)
            try await JobEvents.append(
                .init(kind: .status, status: .queued, message: "Evaluation of iteration \(iteration.number) queued."),
                to: job.requireID(), on: db)
            return .accepted(.init(body: .json(try job.api())))
        }
    }

    func quickTestIteration(
        _ input: Operations.QuickTestIteration.Input
    ) async throws -> Operations.QuickTestIteration.Output {
        try await answer { principal, db in
            guard
                let (iteration, _) = try await iteration(
                    input.path.projectId, input.path.iterationId, principal, .read, on: db),
                let project = try await Project.find(iteration.$project.id, on: db)
            else { return .notFound(.init(body: .json(.notFound("Iteration")))) }
            guard iteration.status == .succeeded,
                let model = try await services.models.model(for: iteration, task: project.task, on: db)
            else {
                return .conflict(
                    .init(
                        body: .json(
                            .conflict(
                                "Iteration \(iteration.number) is \(iteration.status.rawValue); only a trained iteration can be tested."
                            ))))
            }
            let body: HTTPBody
            switch input.body {
            case .jpeg(let b), .png(let b), .binary(let b): body = b
            }
            let data = Data(try await ArraySlice(collecting: body, upTo: Limits.predictionBytes))
            do {
                return .ok(.init(body: .json(.init(try model.predict(data, threshold: input.query.threshold)))))
            } catch {
                return .unprocessableContent(
                    .init(body: .json(.invalid("The file is not a readable JPEG or PNG image."))))
            }
        }
    }
}

extension Operations.EvaluateIteration.Output: RefusableOutput {}
extension Operations.QuickTestIteration.Output: RefusableOutput {}
