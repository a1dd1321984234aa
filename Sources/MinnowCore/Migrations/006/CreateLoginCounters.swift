import FluentKit

/// Sign-in counters shared by every API node: one row per key ("user:<name>" or
/// "address:<ip>") with the start of its window (seconds since 1970) and the hits in it.
package struct CreateLoginCounters: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("login_counters")
            .field("counter_key", .string, .required)
            .field("window_start", .double, .required)
            .field("hits", .int, .required)
            .unique(on: "counter_key")
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("login_counters").delete()
    }
}
