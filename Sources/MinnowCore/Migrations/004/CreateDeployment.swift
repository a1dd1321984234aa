import FluentKit

package struct CreateDeployment: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("deployments")
            .id()
            .field("project_id", .uuid, .required, .references("projects", "id", onDelete: .cascade))
            .field("iteration_id", .uuid, .required, .references("iterations", "id"))
            .field("name", .string, .required)
            .field("key_prefix", .string, .required)
            .field("key_hash", .string, .required)
            .field("requests", .int64, .required)
            .field("errors", .int64, .required)
            .field("latency_total_ms", .double, .required)
            .field("last_request_at", .datetime)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "name")
            .unique(on: "key_hash")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("deployments").delete()
    }
}
