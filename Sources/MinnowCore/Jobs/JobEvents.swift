// The event log of a job: appended by whoever moves the job on (the server when it queues
// or cancels, the worker while it runs), read by the live stream and by polling.
import FluentKit
import Foundation

package enum JobEvents {
    package typealias Event = StoredJobEvent

    /// Appends an event; its id and time are filled in (the id by the database).
    package static func append(_ event: Draft, to jobID: UUID, on db: any Database) async throws {
        let stored = Event(
            id: 0, kind: event.kind, time: Date(), status: event.status, message: event.message,
            progress: event.progress, epoch: event.epoch)
        try await JobEvent(jobID: jobID, kind: event.kind.rawValue, payload: try JSONText.encode(stored)).create(on: db)
    }

    /// Events of `jobID` after `id`, oldest first.
    package static func after(_ id: Int64, jobID: UUID, limit: Int = 500, on db: any Database) async throws -> [Event] {
        let rows = try await JobEvent.query(on: db).filter(\.$job.$id == jobID).filter(\.$id > id)
            .sort(\.$id).limit(limit).all()
        return try rows.map { row in
            var event = try JSONText.decode(Event.self, from: row.payload)
            event.id = Int(try row.requireID())
            return event
        }
    }

    /// An event before it is stored.
    package struct Draft: Sendable {
        package var kind: Event.Kind
        package var status: JobStatus?
        package var message: String?
        package var progress: StoredTrainingProgress?
        package var epoch: StoredEpochMetrics?

        package init(
            kind: Event.Kind, status: JobStatus? = nil, message: String? = nil,
            progress: StoredTrainingProgress? = nil, epoch: StoredEpochMetrics? = nil
        ) {
            self.kind = kind
            self.status = status
            self.message = message
            self.progress = progress
            self.epoch = epoch
        }

        package static func log(_ message: String) -> Draft { Draft(kind: .log, message: message) }
    }
}
