import FluentKit
import Foundation

// Fluent models are reference types with property wrappers.
/// A trained iteration published under a name: the endpoint `/v1/predict/<name>`, called
/// with its own prediction key (only its SHA-256 is stored). Re-pointing it to another
/// iteration keeps the endpoint and the key.
package final class Deployment: Model, @unchecked Sendable {
    package static let schema = "deployments"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // references
    @Parent(key: "project_id") package var project: Project
    @Parent(key: "iteration_id") package var iteration: Iteration

    // data
    @Field(key: "name") package var name: String
    @Field(key: "key_prefix") package var keyPrefix: String
    @Field(key: "key_hash") package var keyHash: String
    @Field(key: "requests") package var requests: Int64
    @Field(key: "errors") package var errors: Int64
    @Field(key: "latency_total_ms") package var latencyTotalMilliseconds: Double
    @OptionalField(key: "last_request_at") package var lastRequestAt: Date?
    /// Predictions allowed per UTC day; nil is unlimited. See `PredictionQuota`.
    @OptionalField(key: "daily_quota") package var dailyQuota: Int?
    /// The UTC day (`yyyy-mm-dd`) `quotaUsed` counts.
    @OptionalField(key: "quota_day") package var quotaDay: String?
    @Field(key: "quota_used") package var quotaUsed: Int

    /// Predictions answered on `day` as far as the database knows (this process's unsaved ones aside).
    package func used(on day: String) -> Int { quotaDay == day ? quotaUsed : 0 }

    package init() {}
}
