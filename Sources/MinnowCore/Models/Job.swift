import FluentKit
import Foundation

/// Background work with its status, progress and result. Zip imports run in the server
/// process that received the archive; training and evaluation are claimed by worker
/// processes through `JobQueue`, with a lease they renew by heartbeat.
package final class Job: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "jobs"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // references
    @Parent(key: "owner_id") package var owner: User
    @OptionalParent(key: "project_id") package var project: Project?
    /// The iteration a `train` or `evaluate` job works on (deleted with it).
    @OptionalField(key: "iteration_id") package var iterationID: UUID?

    // data
    @Field(key: "kind") package var kind: JobKind
    @Field(key: "status") package var status: JobStatus
    @Field(key: "progress_done") package var progressDone: Int
    @Field(key: "progress_total") package var progressTotal: Int
    /// JSON of the job's result once it succeeded.
    @OptionalField(key: "result") package var result: String?
    @OptionalField(key: "error") package var error: String?
    /// JSON of what to do (see `JobPayload`).
    @OptionalField(key: "payload") package var payload: String?
    /// A blob the job reads (an archive to evaluate on), kept until the job is deleted.
    @OptionalField(key: "input_blob_id") package var inputBlobID: String?

    // queue
    @Field(key: "attempts") package var attempts: Int
    @Field(key: "max_attempts") package var maxAttempts: Int
    @OptionalField(key: "lease_owner") package var leaseOwner: String?
    /// Unix seconds on the database's clock.
    @OptionalField(key: "lease_expires_at") package var leaseExpiresAt: Double?
    @Field(key: "cancel_requested") package var cancelRequested: Bool
    @OptionalField(key: "started_at") package var startedAt: Date?
    @OptionalField(key: "finished_at") package var finishedAt: Date?

    package init() {}

    package init(ownerID: UUID, projectID: UUID?, kind: JobKind) {
        self.$owner.id = ownerID
        self.$project.id = projectID
        self.kind = kind
        self.status = .queued
        self.progressDone = 0
        self.progressTotal = 0
        self.attempts = 0
        self.maxAttempts = 3
        self.cancelRequested = false
    }

    package var isFinished: Bool { status.isFinished }
}

/// What a job does: imports run in the server that received the archive, the rest in workers.
package enum JobKind: String, Codable, Sendable, CaseIterable {
    case `import`, train, evaluate, firmware
}

/// Where a job is, and the iteration a `train` job works on (its status follows the job's).
package enum JobStatus: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, canceled

    package var isFinished: Bool { self == .succeeded || self == .failed || self == .canceled }
}
