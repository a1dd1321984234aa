import FluentKit
import Foundation

/// One thing that happened during a job; `payload` is the JSON of a `StoredJobEvent`
/// without its id (the row's id, which only grows, is the event id).
package final class JobEvent: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "job_events"

    @ID(custom: .id, generatedBy: .database) package var id: Int64?
    @Parent(key: "job_id") package var job: Job
    @Field(key: "kind") package var kind: String
    @Field(key: "payload") package var payload: String
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    package init() {}

    package init(jobID: UUID, kind: String, payload: String) {
        self.$job.id = jobID
        self.kind = kind
        self.payload = payload
    }
}
