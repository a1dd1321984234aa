import FluentKit
import Foundation

// Fluent models are reference types with property wrappers.
/// An access token (by its `jti`) that was signed out before it expired.
/// Rows are deleted once the token would have expired anyway.
package final class RevokedToken: Model, @unchecked Sendable {
    package static let schema = "revoked_tokens"

    @ID(custom: .id, generatedBy: .user) package var id: UUID?
    @Field(key: "expires_at") package var expiresAt: Date

    package init() {}

    package init(id: UUID, expiresAt: Date) {
        self.id = id
        self.expiresAt = expiresAt
    }
}
