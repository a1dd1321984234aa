import FluentKit

package struct CreateAPIKey: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("api_keys")
            .id()
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("project_id", .uuid, .required, .references("projects", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("secret_hash", .string, .required)
            .field("permissions", .string, .required)
            .field("created_at", .datetime)
            .field("expires_at", .datetime)
            .field("last_used_at", .datetime)
            .unique(on: "secret_hash")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("api_keys").delete()
    }
}
