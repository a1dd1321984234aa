// `BlobStore` on the application database (SQLite BLOB, PostgreSQL bytea), through SQLKit
// so that concurrent writers of the same content never conflict.
import Fluent
import Foundation
import SQLKit

struct DatabaseBlobStore: BlobStore {
    let database: any Database
    let references: [BlobReference]

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else { throw ConfigurationError(description: "Blob storage needs an SQL database.") }
            return sql
        }
    }

    func put(_ content: Data) async throws -> BlobID {
        let id = BlobID(content: content)
        let now = Date()
        try await sql.insert(into: Blob.schema)
            .columns("id", "size", "content", "touched_at")
            .values(SQLBind(id.hex), SQLBind(Int64(content.count)), SQLBind(content), SQLBind(now))
            .onConflict(with: ["id"]) { $0.set("touched_at", to: now) }
            .run()
        return id
    }

    func get(_ id: BlobID) async throws -> Data? {
        try await Blob.find(id.hex, on: database)?.content
    }

    func collectGarbage(gracePeriod: TimeInterval) async throws -> Int {
        let cutoff = Date().addingTimeInterval(-gracePeriod)
        let sql = try self.sql
        var query = sql.select().column("id").from(Blob.schema).where("touched_at", .lessThan, SQLBind(cutoff))
        for reference in references {
            query = query.where(SQLIdentifier("id"), .notIn, SQLGroupExpression(
                sql.select().column(SQLIdentifier(reference.column)).from(reference.table)
                    .where(SQLIdentifier(reference.column), .isNot, SQLLiteral.null).query
            ))
        }
        let garbage = try await query.all().map { try $0.decode(column: "id", as: String.self) }
        guard !garbage.isEmpty else { return 0 }
        try await sql.delete(from: Blob.schema).where("id", .in, garbage).run()
        return garbage.count
    }
}
