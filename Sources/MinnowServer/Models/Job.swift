import Fluent
import Foundation

/// Background work with its status, progress and result. Today only zip imports, run in the
/// server process that received the archive; the job system of the training service will
/// add worker processes, leases and retries.
final class Job: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "jobs"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // references
    @Parent(key: "owner_id") var owner: User
    @OptionalParent(key: "project_id") var project: Project?

    // data
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "progress_done") var progressDone: Int
    @Field(key: "progress_total") var progressTotal: Int
    /// JSON of the job's result once it succeeded.
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "error") var error: String?

    init() {}

    init(ownerID: UUID, projectID: UUID?, kind: String) {
        self.$owner.id = ownerID
        self.$project.id = projectID
        self.kind = kind
        self.status = "queued"
        self.progressDone = 0
        self.progressTotal = 0
    }
}
