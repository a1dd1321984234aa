import FluentKit
import Foundation

/// A long-lived key for scripts, cameras and bridges: one project, a set of permissions.
/// Only the SHA-256 of the secret is stored; the secret itself is shown once at creation.
package final class APIKey: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "api_keys"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?

    // references
    @Parent(key: "owner_id") package var owner: User
    @Parent(key: "project_id") package var project: Project
    /// A camera's own key: it may only post this device's frames.
    @OptionalParent(key: "device_id") package var device: Device?

    // data
    @Field(key: "name") package var name: String
    /// The first characters of the secret, shown in lists so people can tell keys apart.
    @Field(key: "prefix") package var prefix: String
    @Field(key: "secret_hash") package var secretHash: String
    /// Comma-separated `Permission` raw values.
    @Field(key: "permissions") package var permissionList: String
    @OptionalField(key: "expires_at") package var expiresAt: Date?
    @OptionalField(key: "last_used_at") package var lastUsedAt: Date?
    /// Frame limits (nil: none): per minute (in each server's memory) and per UTC day (in the
    /// database: `quota_used` frames on `quota_day`).
    @OptionalField(key: "frames_per_minute") package var framesPerMinute: Int?
    @OptionalField(key: "daily_frame_quota") package var dailyFrameQuota: Int?
    @OptionalField(key: "quota_day") package var quotaDay: String?
    @Field(key: "quota_used") package var quotaUsed: Int

    package init() {}

    package init(
        ownerID: UUID, projectID: UUID, name: String, prefix: String, secretHash: String, permissions: Set<Permission>,
        expiresAt: Date?
    ) {
        self.quotaUsed = 0
        self.$owner.id = ownerID
        self.$project.id = projectID
        self.name = name
        self.prefix = prefix
        self.secretHash = secretHash
        self.permissionList = permissions.map(\.rawValue).sorted().joined(separator: ",")
        self.expiresAt = expiresAt
    }

    package var permissions: Set<Permission> {
        Set(permissionList.split(separator: ",").compactMap { Permission(rawValue: String($0)) })
    }
}

/// What an API key may do inside its project.
package enum Permission: String, CaseIterable, Sendable {
    case read, write, ingest, predict, bridge
}
