import FluentKit

package struct CreateRevokedToken: AsyncMigration {
    package func prepare(on database: any Database) async throws {
        try await database.schema("revoked_tokens")
            .field("id", .uuid, .identifier(auto: false))
            .field("expires_at", .datetime, .required)
            .create()
    }

    package func revert(on database: any Database) async throws {
        try await database.schema("revoked_tokens").delete()
    }
}
