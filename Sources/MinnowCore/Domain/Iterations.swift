// Iteration actions shared by the JSON API and the web pages: find one in a project (with
// its train job), list, cancel and delete. Starting one is `IterationLauncher`.
import FluentKit
import Foundation

package struct Iterations {
    package let db: any Database

    /// The iteration `id` of `project` and its train job, or nil (missing, or another project's).
    package func find(_ id: String, in project: Project) async throws -> (iteration: Iteration, job: Job?)? {
        guard let id = UUID(uuidString: id),
            let iteration = try await Iteration.query(on: db).filter(\.$id == id).filter(
                \.$project.$id == project.requireID()
            ).first()
        else { return nil }
        let job = try await Job.query(on: db).filter(\.$iterationID == id).filter(\.$kind == .train).first()
        return (iteration, job)
    }

    /// A page of the project's iterations, newest first, each with its train job.
    package func list(
        in project: Project, page: Paging
    ) async throws -> (items: [(iteration: Iteration, job: Job?)], total: Int) {
        let (iterations, total) = try await Iteration.query(on: db).filter(\.$project.$id == project.requireID())
            .sort(\.$number, .descending).page(page)
        let jobs = try await Job.query(on: db).filter(\.$iterationID ~~ iterations.compactMap(\.id)).filter(
            \.$kind == .train
        ).all()
        let jobByIteration = Dictionary(jobs.map { ($0.iterationID!, $0) }, uniquingKeysWith: { first, _ in first })
        return (iterations.map { (iteration: $0, job: jobByIteration[$0.id!]) }, total)
    }

    package func cancel(_ iteration: Iteration, job: Job?) async throws -> Result<Void, DomainFailure> {
        guard let job else { return .failure(.notFound("Iteration")) }
        guard !iteration.isFinished else {
            return .failure(.conflict("Iteration \(iteration.number) already \(iteration.status.rawValue)."))
        }
        try await JobCancellation.cancel(job, on: db)
        return .success(())
    }

    /// Refused while a deployment serves it; a running job is canceled first.
    package func delete(_ iteration: Iteration, job: Job?) async throws -> Result<Void, DomainFailure> {
        let id = try iteration.requireID()
        if let deployment = try await Deployment.query(on: db).filter(\.$iteration.$id == id).first() {
            return .failure(
                .conflict(
                    "Iteration \(iteration.number) is published as \"\(deployment.name)\"; unpublish or re-point it first."
                ))
        }
        if let job, !job.isFinished { try await JobCancellation.cancel(job, on: db) }
        try await Job.query(on: db).filter(\.$iterationID == id).delete()
        try await iteration.delete(on: db)
        return .success(())
    }

    package init(db: any Database) {
        self.db = db
    }
}
