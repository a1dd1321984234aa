// Canceling from the server side: a queued job ends at once (and its iteration with it); a
// running one is flagged, and its worker stops at the next heartbeat and records the end.
import FluentKit
import Foundation

package enum JobCancellation {
    package static func cancel(_ job: Job, on db: any Database) async throws {
        let jobID = try job.requireID()
        let status = try await JobQueue(db: db).cancel(jobID)
        guard status == .canceled else {
            try await JobEvents.append(.log("Cancel requested; stopping after the current step."), to: jobID, on: db)
            return
        }
        try await JobEvents.append(
            .init(kind: .status, status: .canceled, message: "Canceled before it started."), to: jobID, on: db)
        if let iterationID = job.iterationID, job.kind == .train {
            try await Iteration.query(on: db).filter(\.$id == iterationID).set(\.$status, to: .canceled)
                .set(\.$finishedAt, to: Date()).update()
        }
    }
}
