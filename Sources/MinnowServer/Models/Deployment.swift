import Fluent
import Foundation

/// A trained iteration published under a name: the endpoint `/v1/predict/<name>`, called
/// with its own prediction key (only its SHA-256 is stored). Re-pointing it to another
/// iteration keeps the endpoint and the key.
final class Deployment: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "deployments"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // references
    @Parent(key: "project_id") var project: Project
    @Parent(key: "iteration_id") var iteration: Iteration

    // data
    @Field(key: "name") var name: String
    @Field(key: "key_prefix") var keyPrefix: String
    @Field(key: "key_hash") var keyHash: String
    @Field(key: "requests") var requests: Int64
    @Field(key: "errors") var errors: Int64
    @Field(key: "latency_total_ms") var latencyTotalMilliseconds: Double
    @OptionalField(key: "last_request_at") var lastRequestAt: Date?
    /// Predictions allowed per UTC day; nil is unlimited. See `PredictionQuota`.
    @OptionalField(key: "daily_quota") var dailyQuota: Int?
    /// The UTC day (`yyyy-mm-dd`) `quotaUsed` counts.
    @OptionalField(key: "quota_day") var quotaDay: String?
    @Field(key: "quota_used") var quotaUsed: Int

    /// Predictions answered on `day` as far as the database knows (this process's unsaved ones aside).
    func used(on day: String) -> Int { quotaDay == day ? quotaUsed : 0 }

    init() {}
}
