import Fluent
import Foundation

/// A person with an account. Owns projects and API keys; deleting a user cascades to both.
final class User: Model, @unchecked Sendable {  // Fluent models are reference types with property wrappers.
    static let schema = "users"

    // managed
    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    // data
    /// Lowercased; usernames are case-insensitive.
    @Field(key: "username") var username: String
    @Field(key: "password_hash") var passwordHash: String
    /// Bumped on password change: access tokens carry the generation they were issued in.
    @Field(key: "token_generation") var tokenGeneration: Int

    init() {}

    init(username: String, passwordHash: String) {
        self.username = username
        self.passwordHash = passwordHash
        self.tokenGeneration = 0
    }
}
