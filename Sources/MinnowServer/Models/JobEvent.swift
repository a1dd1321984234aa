import Fluent
import Foundation

/// One thing that happened during a job; `payload` is the JSON of an `IterationEvent`
/// without its id (the row's id, which only grows, is the event id).
final class JobEvent: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "job_events"

    @ID(custom: .id, generatedBy: .database) var id: Int64?
    @Parent(key: "job_id") var job: Job
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(jobID: UUID, kind: String, payload: String) {
        self.$job.id = jobID
        self.kind = kind
        self.payload = payload
    }
}
