// Background jobs: status, progress and result.
import APITypes
import Fluent
import Foundation
import MinnowCore
import Vapor

extension APIHandler {
    func getJob(_ input: Operations.GetJob.Input) async throws -> Operations.GetJob.Output {
        try await answer { principal, db in
            guard let id = UUID(uuidString: input.path.jobId), let job = try await Job.find(id, on: db),
                job.$owner.id == principal.userID
            else { return .notFound(.init(body: .json(.notFound("Job")))) }
            guard try principal.mayTouch(job, for: .read) else {
                return .notFound(.init(body: .json(.notFound("Job"))))
            }
            return .ok(.init(body: .json(try job.api())))
        }
    }

    func cancelJob(_ input: Operations.CancelJob.Input) async throws -> Operations.CancelJob.Output {
        try await answer { principal, db in
            guard let id = UUID(uuidString: input.path.jobId), let job = try await Job.find(id, on: db),
                job.$owner.id == principal.userID, try principal.mayTouch(job, for: .write)
            else { return .notFound(.init(body: .json(.notFound("Job")))) }
            guard job.kind != .import else {
                return .conflict(
                    .init(
                        body: .json(
                            .conflict("An import cannot be canceled; images imported so far are kept when it ends."))))
            }
            guard !job.isFinished else {
                return .conflict(.init(body: .json(.conflict("The job already \(job.status.rawValue)."))))
            }
            try await JobCancellation.cancel(job, on: db)
            return .ok(.init(body: .json(try await Job.find(id, on: db)!.api())))
        }
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
            kind == .evaluate
                ? .EvaluationReport(.init(try JSONText.decode(StoredEvaluationReport.self, from: text)))
                : .ImportReport(.init(try JSONText.decode(StoredImportReport.self, from: text)))
        }
        return .init(
            id: try requireID().apiString, kind: .init(kind),
            status: .init(status), attempts: attempts, iterationId: iterationID?.apiString,
            projectId: $project.id?.apiString,
            progress: .init(done: progressDone, total: progressTotal),
            result: outcome, error: error,
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date()
        )
    }
}

extension Operations.GetJob.Output: RefusableOutput {}
extension Operations.CancelJob.Output: RefusableOutput {}
