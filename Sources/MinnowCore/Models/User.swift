import FluentKit
import Foundation

/// A person with an account. Owns projects and API keys; deleting a user cascades to both.
package final class User: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    package static let schema = "users"

    // managed
    @ID(key: .id) package var id: UUID?
    @Timestamp(key: "created_at", on: .create) package var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) package var updatedAt: Date?

    // data
    /// Lowercased; usernames are case-insensitive.
    @Field(key: "username") package var username: String
    @Field(key: "password_hash") package var passwordHash: String
    /// Bumped on password change: access tokens carry the generation they were issued in.
    @Field(key: "token_generation") package var tokenGeneration: Int

    package init() {}

    package init(username: String, passwordHash: String) {
        self.username = username
        self.passwordHash = passwordHash
        self.tokenGeneration = 0
    }
}
