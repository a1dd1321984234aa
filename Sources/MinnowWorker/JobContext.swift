// What a running job may do: read its job and iteration, log, report progress, and end
// (only while its worker still holds the lease — see `JobQueue.finish`).
import FluentKit
import Foundation
import Logging
import MinnowCore

package struct JobContext: Sendable {
    package let job: Job
    package let worker: JobWorker
    package let control: JobControl

    package var jobID: UUID { job.id! }
    package var db: any Database { worker.db }
    package var logger: Logger { worker.logger }
    package var blobs: DatabaseBlobStore { DatabaseBlobStore(database: db, references: BlobReferences.all) }

    package func log(_ message: String) async throws {
        try await JobEvents.append(.log(message), to: jobID, on: db)
    }

    package func event(_ draft: JobEvents.Draft) async throws {
        try await JobEvents.append(draft, to: jobID, on: db)
    }

    package func iteration() async throws -> Iteration {
        guard let id = job.iterationID, let iteration = try await Iteration.find(id, on: db) else {
            throw JobFailure("The iteration of this job was deleted.")
        }
        return iteration
    }

    package func updateIteration(_ change: @Sendable (Iteration) -> Void) async throws {
        guard let id = job.iterationID, let iteration = try await Iteration.find(id, on: db) else { return }
        change(iteration)
        try await iteration.save(on: db)
    }

    /// Ends the job (and its iteration) without results: `failed` or `canceled`.
    package func end(status: JobStatus, message: String) async throws {
        let iterationID = job.kind == .train ? job.iterationID : nil
        let status = status
        try await worker.queue.finish(
            jobID, worker: worker.id, status: status, error: status == .failed ? message : nil
        ) { tx in
            try await JobEvents.append(.init(kind: .status, status: status, message: message), to: jobID, on: tx)
            if let iterationID {
                try await Iteration.query(on: tx).filter(\.$id == iterationID).set(\.$status, to: status)
                    .set(\.$error, to: status == .failed ? message : nil).set(\.$finishedAt, to: Date()).update()
            }
        }
        logger.info(
            "job ended", metadata: ["job": "\(jobID)", "status": "\(status.rawValue)", "message": "\(message)"])
    }

    package func fail(_ message: String) async throws {
        try await end(status: .failed, message: message)
    }

    package init(job: Job, worker: JobWorker, control: JobControl) {
        self.job = job
        self.worker = worker
        self.control = control
    }
}
