import FluentKit

package struct CreateUser: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("username", .string, .required)
            .field("password_hash", .string, .required)
            .field("token_generation", .int, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "username")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("users").delete()
    }
}
