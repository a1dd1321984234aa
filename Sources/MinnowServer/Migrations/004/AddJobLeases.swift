import Fluent
import SQLKit

/// Jobs become a queue that worker processes claim with a lease: what to do (payload), how
/// often it was tried, who holds it until when (database clock, Unix seconds), and whether
/// someone asked it to stop.
struct AddJobLeases: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .field("payload", .string)
            .field("iteration_id", .uuid)
            .field("input_blob_id", .string)
            .field("attempts", .int, .required, .sql(.default(0)))
            .field("max_attempts", .int, .required, .sql(.default(3)))
            .field("lease_owner", .string)
            .field("lease_expires_at", .double)
            .field("cancel_requested", .bool, .required, .sql(.default(false)))
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .update()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "jobs_queue").on("jobs").column("status").column("created_at").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "jobs_queue").run()
        }
        try await database.schema("jobs")
            .deleteField("payload").deleteField("iteration_id").deleteField("input_blob_id").deleteField("attempts").deleteField("max_attempts")
            .deleteField("lease_owner").deleteField("lease_expires_at").deleteField("cancel_requested")
            .deleteField("started_at").deleteField("finished_at")
            .update()
    }
}

/// What happened during a job, in order: status changes, progress, epochs, log lines. The
/// database-generated id is the event id of the live stream.
struct CreateJobEvent: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("job_events")
            .field(.id, .int64, .identifier(auto: true))
            .field("job_id", .uuid, .required, .references("jobs", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("created_at", .datetime)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "job_events_job").on("job_events").column("job_id").column("id").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("job_events").delete()
    }
}
