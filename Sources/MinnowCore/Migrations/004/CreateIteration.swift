import FluentKit

package struct CreateIteration: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("iterations")
            .id()
            .field("project_id", .uuid, .required, .references("projects", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("note", .string)
            .field("status", .string, .required)
            .field("configuration", .string, .required)
            .field("dataset_summary", .string, .required)
            .field("progress", .string)
            .field("results", .string)
            .field("model_card", .string)
            .field("error", .string)
            .field("checkpoint_blob_id", .string)
            .field("tflite_blob_id", .string)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .unique(on: "project_id", "number")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("iterations").delete()
    }
}

/// The frozen snapshot: one row per image an iteration trains or tests on.
package struct CreateIterationImage: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("iteration_images")
            .id()
            .field("iteration_id", .uuid, .required, .references("iterations", "id", onDelete: .cascade))
            .field("image_id", .uuid, .required)
            .field("blob_id", .string, .required)
            .field("file_name", .string, .required)
            .field("label", .string)
            .field("boxes", .string)
            .field("split", .string, .required)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("iteration_images").delete()
    }
}
