import FluentKit

package struct CreateBlob: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("blobs")
            .field("id", .string, .identifier(auto: false))  // SHA-256, lowercase hex
            .field("size", .int64, .required)
            .field("content", .data, .required)
            .field("touched_at", .datetime, .required)  // last written; garbage collection spares recent blobs
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("blobs").delete()
    }
}
