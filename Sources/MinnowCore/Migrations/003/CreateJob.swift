import FluentKit

package struct CreateJob: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .id()
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("project_id", .uuid, .references("projects", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("status", .string, .required)
            .field("progress_done", .int, .required)
            .field("progress_total", .int, .required)
            .field("result", .string)
            .field("error", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("jobs").delete()
    }
}
