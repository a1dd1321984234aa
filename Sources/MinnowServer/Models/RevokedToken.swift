import Fluent
import Foundation

/// An access token (by its `jti`) that was signed out before it expired.
/// Rows are deleted once the token would have expired anyway.
final class RevokedToken: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "revoked_tokens"

    @ID(custom: .id, generatedBy: .user) var id: UUID?
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(id: UUID, expiresAt: Date) {
        self.id = id
        self.expiresAt = expiresAt
    }
}
