// What a running job may do: read its job and iteration, log, report progress, and end
// (only while its worker still holds the lease — see `JobQueue.finish`).
import APITypes
import Fluent
import Foundation
import Logging

struct JobContext: Sendable {
    let job: Job
    let worker: JobWorker
    let control: JobControl

    var jobID: UUID { job.id! }
    var db: any Database { worker.db }
    var logger: Logger { worker.logger }
    var blobs: DatabaseBlobStore { DatabaseBlobStore(database: db, references: BlobReferences.all) }

    func log(_ message: String) async throws {
        try await JobEvents.append(.log(message), to: jobID, on: db)
    }

    func event(_ draft: JobEvents.Draft) async throws {
        try await JobEvents.append(draft, to: jobID, on: db)
    }

    func iteration() async throws -> Iteration {
        guard let id = job.iterationID, let iteration = try await Iteration.find(id, on: db) else {
            throw JobFailure("The iteration of this job was deleted.")
        }
        return iteration
    }

    func updateIteration(_ change: @Sendable (Iteration) -> Void) async throws {
        guard let id = job.iterationID, let iteration = try await Iteration.find(id, on: db) else { return }
        change(iteration)
        try await iteration.save(on: db)
    }

    /// Ends the job (and its iteration) without results: `failed` or `canceled`.
    func end(status: String, message: String) async throws {
        let iterationID = job.kind == "train" ? job.iterationID : nil
        let status = status
        try await worker.queue.finish(jobID, worker: worker.id, status: status, error: status == "failed" ? message : nil) { tx in
            try await JobEvents.append(.init(kind: .status, status: .init(rawValue: status), message: message), to: jobID, on: tx)
            if let iterationID {
                try await Iteration.query(on: tx).filter(\.$id == iterationID).set(\.$status, to: status)
                    .set(\.$error, to: status == "failed" ? message : nil).set(\.$finishedAt, to: Date()).update()
            }
        }
        logger.info("job ended", metadata: ["job": "\(jobID)", "status": "\(status)", "message": "\(message)"])
    }

    func fail(_ message: String) async throws {
        try await end(status: "failed", message: message)
    }
}
