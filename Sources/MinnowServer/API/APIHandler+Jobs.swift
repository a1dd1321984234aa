// Background jobs: status, progress and result.
import APITypes
import Fluent
import Foundation
import Vapor

extension APIHandler {
    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        let (request, principal) = try await authenticated()
        guard let id = UUID(uuidString: input.path.jobId), let job = try await Job.find(id, on: request.db),
              job.$owner.id == principal.userID
        else { return .notFound(.init(body: .json(.notFound("Job")))) }
        guard try principal.mayTouch(job, for: .read) else { return .notFound(.init(body: .json(.notFound("Job")))) }
        return .ok(.init(body: .json(try job.api())))
    }

    func cancelJob(_ input: Operations.CancelJob.Input) async throws -> Operations.CancelJob.Output {
        let (request, principal) = try await authenticated()
        guard let id = UUID(uuidString: input.path.jobId), let job = try await Job.find(id, on: request.db),
              job.$owner.id == principal.userID, try principal.mayTouch(job, for: .write)
        else { return .notFound(.init(body: .json(.notFound("Job")))) }
        guard job.kind != "import" else {
            return .conflict(.init(body: .json(.conflict("An import cannot be canceled; images imported so far are kept when it ends."))))
        }
        guard !job.isFinished else { return .conflict(.init(body: .json(.conflict("The job already \(job.status).")))) }
        try await JobCancellation.cancel(job, on: request.db)
        return .ok(.init(body: .json(try await Job.find(id, on: request.db)!.api())))
    }
}

extension Principal {
    /// An API key sees only its own project's jobs (false: answer 404), and only with
    /// `permission` (reading a job's report needs `read`, cancelling it `write`; else 403).
    func mayTouch(_ job: Job, for permission: Permission) throws -> Bool {
        guard let key else { return true }
        guard job.$project.id == key.projectID, key.deviceID == nil else { return false }
        try key.require(permission)
        return true
    }
}

extension Job {
    func api() throws -> Components.Schemas.Job {
        let outcome: Components.Schemas.Job.ResultPayload? = try result.map { text in
            kind == "evaluate" ? .EvaluationReport(try JSONText.decode(Components.Schemas.EvaluationReport.self, from: text))
                : .ImportReport(try JSONText.decode(Components.Schemas.ImportReport.self, from: text))
        }
        return .init(
            id: try requireID().apiString, kind: .init(rawValue: kind) ?? ._import,
            status: .init(rawValue: status) ?? .failed, attempts: attempts, iterationId: iterationID?.apiString,
            projectId: $project.id?.apiString,
            progress: .init(done: progressDone, total: progressTotal),
            result: outcome, error: error,
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date()
        )
    }
}
