import Fluent
import Foundation

/// Background work with its status, progress and result. Zip imports run in the server
/// process that received the archive; training and evaluation are claimed by worker
/// processes through `JobQueue`, with a lease they renew by heartbeat.
final class Job: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "jobs"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // references
    @Parent(key: "owner_id") var owner: User
    @OptionalParent(key: "project_id") var project: Project?
    /// The iteration a `train` or `evaluate` job works on (deleted with it).
    @OptionalField(key: "iteration_id") var iterationID: UUID?

    // data
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "progress_done") var progressDone: Int
    @Field(key: "progress_total") var progressTotal: Int
    /// JSON of the job's result once it succeeded.
    @OptionalField(key: "result") var result: String?
    @OptionalField(key: "error") var error: String?
    /// JSON of what to do (see `JobPayload`).
    @OptionalField(key: "payload") var payload: String?
    /// A blob the job reads (an archive to evaluate on), kept until the job is deleted.
    @OptionalField(key: "input_blob_id") var inputBlobID: String?

    // queue
    @Field(key: "attempts") var attempts: Int
    @Field(key: "max_attempts") var maxAttempts: Int
    @OptionalField(key: "lease_owner") var leaseOwner: String?
    /// Unix seconds on the database's clock.
    @OptionalField(key: "lease_expires_at") var leaseExpiresAt: Double?
    @Field(key: "cancel_requested") var cancelRequested: Bool
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    init(ownerID: UUID, projectID: UUID?, kind: String) {
        self.$owner.id = ownerID
        self.$project.id = projectID
        self.kind = kind
        self.status = "queued"
        self.progressDone = 0
        self.progressTotal = 0
        self.attempts = 0
        self.maxAttempts = 3
        self.cancelRequested = false
    }

    var isFinished: Bool { ["succeeded", "failed", "canceled"].contains(status) }
}
