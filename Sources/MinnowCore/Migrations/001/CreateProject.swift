import FluentKit

package struct CreateProject: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("projects")
            .id()
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("task", .string, .required)
            .field("input_width", .int, .required)
            .field("input_height", .int, .required)
            .field("color_mode", .string, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "owner_id", "name")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("projects").delete()
    }
}
