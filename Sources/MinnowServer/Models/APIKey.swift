import Fluent
import Foundation

/// A long-lived key for scripts, cameras and bridges: one project, a set of permissions.
/// Only the SHA-256 of the secret is stored; the secret itself is shown once at creation.
final class APIKey: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "api_keys"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    // references
    @Parent(key: "owner_id") var owner: User
    @Parent(key: "project_id") var project: Project
    /// A camera's own key: it may only post this device's frames.
    @OptionalParent(key: "device_id") var device: Device?

    // data
    @Field(key: "name") var name: String
    /// The first characters of the secret, shown in lists so people can tell keys apart.
    @Field(key: "prefix") var prefix: String
    @Field(key: "secret_hash") var secretHash: String
    /// Comma-separated `Permission` raw values.
    @Field(key: "permissions") var permissionList: String
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    /// Frame limits (nil: none): per minute (in each server's memory) and per UTC day (in the
    /// database: `quota_used` frames on `quota_day`).
    @OptionalField(key: "frames_per_minute") var framesPerMinute: Int?
    @OptionalField(key: "daily_frame_quota") var dailyFrameQuota: Int?
    @OptionalField(key: "quota_day") var quotaDay: String?
    @Field(key: "quota_used") var quotaUsed: Int

    init() {}

    init(ownerID: UUID, projectID: UUID, name: String, prefix: String, secretHash: String, permissions: Set<Permission>, expiresAt: Date?) {
        self.quotaUsed = 0
        self.$owner.id = ownerID
        self.$project.id = projectID
        self.name = name
        self.prefix = prefix
        self.secretHash = secretHash
        self.permissionList = permissions.map(\.rawValue).sorted().joined(separator: ",")
        self.expiresAt = expiresAt
    }

    var permissions: Set<Permission> {
        Set(permissionList.split(separator: ",").compactMap { Permission(rawValue: String($0)) })
    }
}

/// What an API key may do inside its project.
enum Permission: String, CaseIterable, Sendable {
    case read, write, ingest, predict, bridge
}
