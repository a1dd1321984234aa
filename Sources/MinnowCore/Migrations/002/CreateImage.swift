import FluentKit

package struct CreateImage: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("images")
            .id()
            .field("project_id", .uuid, .required, .references("projects", "id", onDelete: .cascade))
            .field("blob_id", .string, .required)
            .field("thumbnail_blob_id", .string, .required)
            .field("file_name", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("color_mode", .string, .required)
            .field("format", .string, .required)
            .field("size", .int, .required)
            .field("label", .string)
            .field("split", .string, .required)
            .field("split_automatic", .bool, .required)
            .field("source", .string, .required)
            .field("difference_hash", .int64, .required)
            .field("created_at", .datetime)
            .unique(on: "project_id", "blob_id")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("images").delete()
    }
}

package struct CreateBox: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("boxes")
            .id()
            .field("image_id", .uuid, .required, .references("images", "id", onDelete: .cascade))
            .field("label", .string, .required)
            .field("x", .double, .required)
            .field("y", .double, .required)
            .field("width", .double, .required)
            .field("height", .double, .required)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("boxes").delete()
    }
}
