// The event log of a job: appended by whoever moves the job on (the server when it queues
// or cancels, the worker while it runs), read by the live stream and by polling.
import APITypes
import Fluent
import Foundation

enum JobEvents {
    typealias Event = Components.Schemas.IterationEvent

    /// Appends an event; its id and time are filled in (the id by the database).
    static func append(_ event: Draft, to jobID: UUID, on db: any Database) async throws {
        let stored = Event(id: 0, kind: event.kind, time: Date(), status: event.status, message: event.message,
                           progress: event.progress, epoch: event.epoch)
        try await JobEvent(jobID: jobID, kind: event.kind.rawValue, payload: try JSONText.encode(stored)).create(on: db)
    }

    /// Events of `jobID` after `id`, oldest first.
    static func after(_ id: Int64, jobID: UUID, limit: Int = 500, on db: any Database) async throws -> [Event] {
        let rows = try await JobEvent.query(on: db).filter(\.$job.$id == jobID).filter(\.$id > id)
            .sort(\.$id).limit(limit).all()
        return try rows.map { row in
            var event = try JSONText.decode(Event.self, from: row.payload)
            event.id = Int(try row.requireID())
            return event
        }
    }

    /// An event before it is stored.
    struct Draft: Sendable {
        var kind: Event.KindPayload
        var status: Components.Schemas.IterationStatus?
        var message: String?
        var progress: Components.Schemas.TrainingProgress?
        var epoch: Components.Schemas.EpochMetrics?

        init(kind: Event.KindPayload, status: Components.Schemas.IterationStatus? = nil, message: String? = nil,
             progress: Components.Schemas.TrainingProgress? = nil, epoch: Components.Schemas.EpochMetrics? = nil) {
            self.kind = kind
            self.status = status
            self.message = message
            self.progress = progress
            self.epoch = epoch
        }

        static func log(_ message: String) -> Draft { Draft(kind: .log, message: message) }
    }
}
