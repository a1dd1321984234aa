import FluentKit
import SQLKit

/// Jobs become a queue that worker processes claim with a lease: what to do (payload), how
/// often it was tried, who holds it until when (database clock, Unix seconds), and whether
/// someone asked it to stop.
package struct AddJobLeases: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        // SQLite adds one column per ALTER TABLE statement.
        let columns: [(String, DatabaseSchema.DataType, [DatabaseSchema.FieldConstraint])] = [
            ("payload", .string, []), ("iteration_id", .uuid, []), ("input_blob_id", .string, []),
            ("attempts", .int, [.required, .sql(.default(0))]), ("max_attempts", .int, [.required, .sql(.default(3))]),
            ("lease_owner", .string, []), ("lease_expires_at", .double, []),
            ("cancel_requested", .bool, [.required, .sql(.default(false))]),
            ("started_at", .datetime, []), ("finished_at", .datetime, []),
        ]
        for (name, type, constraints) in columns {
            try await database.schema("jobs").field(
                .definition(name: .key(.init(stringLiteral: name)), dataType: type, constraints: constraints)
            ).update()
        }
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "jobs_queue").on("jobs").column("status").column("created_at").run()
        }
    }

    package func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "jobs_queue").run()
        }
        for name in [
            "payload", "iteration_id", "input_blob_id", "attempts", "max_attempts", "lease_owner", "lease_expires_at",
            "cancel_requested", "started_at", "finished_at",
        ] {
            try await database.schema("jobs").deleteField(.init(stringLiteral: name)).update()
        }
    }
}

/// What happened during a job, in order: status changes, progress, epochs, log lines. The
/// database-generated id is the event id of the live stream.
package struct CreateJobEvent: AsyncMigration {
    package func prepare(on database: any Database) async throws {
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

    package func revert(on database: any Database) async throws {
        try await database.schema("job_events").delete()
    }
}
