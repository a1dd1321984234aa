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
        if case .apiKey(_, let projectID, _) = principal {
            guard job.$project.id == projectID else { return .notFound(.init(body: .json(.notFound("Job")))) }
        }
        return .ok(.init(body: .json(try job.api())))
    }
}

extension Job {
    func api() throws -> Components.Schemas.Job {
        let report = try result.map { try JSONDecoder().decode(Components.Schemas.ImportReport.self, from: Data($0.utf8)) }
        return .init(
            id: try requireID().apiString, kind: .init(rawValue: kind) ?? ._import,
            status: .init(rawValue: status) ?? .failed, projectId: $project.id?.apiString,
            progress: .init(done: progressDone, total: progressTotal),
            result: report.map { .ImportReport($0) }, error: error,
            createdAt: createdAt ?? Date(), updatedAt: updatedAt ?? createdAt ?? Date()
        )
    }
}
