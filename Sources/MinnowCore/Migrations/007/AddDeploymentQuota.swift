import FluentKit

/// A daily quota per deployment key: predictions allowed per UTC day (none: unlimited), and
/// the day and count the prediction counters last added to. One column per statement: SQLite
/// adds a single column per ALTER TABLE.
package struct AddDeploymentQuota: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("deployments").field("daily_quota", .int).update()
        try await database.schema("deployments").field("quota_day", .string).update()
        try await database.schema("deployments").field("quota_used", .int, .required, .sql(.default(0))).update()
    }

    package func revert(on database: any Database) async throws {
        for column in ["daily_quota", "quota_day", "quota_used"] {
            try await database.schema("deployments").deleteField(.string(column)).update()
        }
    }
}
