import FluentKit
import SQLKit

/// Cameras (issue 13): a device may be a camera that runs a deployment on the frames it posts
/// with its own key; observations keep what the model saw and the frame (as retention allows);
/// sightings index them by label and time for search; keys get frame limits; projects a
/// retention policy. SQLite adds one column per ALTER TABLE statement.
package struct AddCameras: AsyncMigration {
    private typealias Column = (
        name: String, type: DatabaseSchema.DataType, constraints: [DatabaseSchema.FieldConstraint]
    )

    private static let columns: [(table: String, columns: [Column])] = [
        (
            "devices",
            [
                ("deployment_id", .uuid, [.references("deployments", "id", onDelete: .setNull)]),
                ("last_frame_hash", .int64, []),
            ]
        ),
        (
            "api_keys",
            [
                ("device_id", .uuid, [.references("devices", "id", onDelete: .cascade)]),
                ("frames_per_minute", .int, []),
                ("daily_frame_quota", .int, []),
                ("quota_day", .string, []),
                ("quota_used", .int, [.required, .sql(.default(0))]),
            ]
        ),
        (
            "projects",
            [
                ("frame_days", .int, [.required, .sql(.default(30))]),
                ("frames_only_with_detections", .bool, [.required, .sql(.default(false))]),
                ("similar_frame_distance", .int, [.required, .sql(.default(0))]),
                ("max_frame_bytes", .int64, [.required, .sql(.default(0))]),
            ]
        ),
        (
            "observations",
            [
                ("detections", .string, []),
                ("frame_status", .string, [.required, .sql(.default("none"))]),
                ("frame_blob_id", .string, []),
                ("frame_bytes", .int64, [.required, .sql(.default(0))]),
                ("frame_width", .int, []),
                ("frame_height", .int, []),
            ]
        ),
    ]

    package func prepare(on database: any Database) async throws {
        for (table, columns) in Self.columns {
            for column in columns {
                try await database.schema(table).field(
                    .definition(
                        name: .key(.init(stringLiteral: column.name)),
                        dataType: column.type, constraints: column.constraints)
                ).update()
            }
        }
        try await database.schema("sightings")
            .id()
            .field("project_id", .uuid, .required, .references("projects", "id", onDelete: .cascade))
            .field("device_id", .uuid, .required, .references("devices", "id", onDelete: .cascade))
            .field("observation_id", .uuid, .required, .references("observations", "id", onDelete: .cascade))
            .field("label", .string, .required)
            .field("score", .double, .required)
            .field("x", .double)
            .field("y", .double)
            .field("width", .double)
            .field("height", .double)
            .field("seen_at", .int64, .required)  // microseconds since 1970: exact, so pages can resume at a row
            .field("received_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "sightings_label").on("sightings").column("project_id").column("label").column(
            "seen_at"
        ).column("id").run()
        try await sql.create(index: "sightings_time").on("sightings").column("project_id").column("seen_at").column(
            "id"
        ).run()
        try await sql.create(index: "sightings_device").on("sightings").column("device_id").column("seen_at").column(
            "id"
        ).run()
        try await sql.create(index: "sightings_observation").on("sightings").column("observation_id").run()
        try await sql.create(index: "observations_frames").on("observations").column("project_id").column(
            "frame_status"
        ).column("received_at").run()
        try await sql.create(index: "observations_frame_blob").on("observations").column("frame_blob_id").run()
    }

    package func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in ["observations_frames", "observations_frame_blob"] {
                try await sql.drop(index: index).run()
            }
        }
        try await database.schema("sightings").delete()
        for (table, columns) in Self.columns.reversed() {
            for column in columns {
                try await database.schema(table).deleteField(.init(stringLiteral: column.name)).update()
            }
        }
    }
}
