// `BlobStore` on the application database (SQLite BLOB, PostgreSQL bytea), through SQLKit
// so that concurrent writers of the same content never conflict.
import FluentKit
import Foundation
import SQLKit

package struct DatabaseBlobStore: BlobStore {
    package let database: any Database
    package let references: [BlobReference]

    private var sql: any SQLDatabase {
        get throws {
            guard let sql = database as? any SQLDatabase else {
                throw ConfigurationError(description: "Blob storage needs an SQL database.")
            }
            return sql
        }
    }

    package func put(_ content: Data) async throws -> BlobID {
        try await putAll([content])[0]
    }

    /// Stores many contents in one statement; ids in input order.
    @discardableResult
    package func putAll(_ contents: [Data]) async throws -> [BlobID] {
        let ids = contents.map(BlobID.init(content:))
        var unique: [BlobID: Data] = [:]  // one row per content: an upsert may not touch a row twice
        for (id, content) in zip(ids, contents) { unique[id] = content }
        guard !unique.isEmpty else { return ids }
        let now = Date()
        var insert = try sql.insert(into: Blob.schema).columns("id", "size", "content", "touched_at")
        for (id, content) in unique {
            insert = insert.values(SQLBind(id.hex), SQLBind(Int64(content.count)), SQLBind(content), SQLBind(now))
        }
        try await insert.onConflict(with: ["id"]) { $0.set("touched_at", to: now) }.run()
        return ids
    }

    package func get(_ id: BlobID) async throws -> Data? {
        try await Blob.find(id.hex, on: database)?.content
    }

    package func collectGarbage(gracePeriod: TimeInterval) async throws -> Int {
        let cutoff = Date().addingTimeInterval(-gracePeriod)
        let sql = try self.sql
        var query = sql.select().column("id").from(Blob.schema).where("touched_at", .lessThan, SQLBind(cutoff))
        for reference in references {
            query = query.where(
                SQLIdentifier("id"), .notIn,
                SQLGroupExpression(
                    sql.select().column(SQLIdentifier(reference.column)).from(reference.table)
                        .where(SQLIdentifier(reference.column), .isNot, SQLLiteral.null).query
                ))
        }
        let garbage = try await query.all().map { try $0.decode(column: "id", as: String.self) }
        guard !garbage.isEmpty else { return 0 }
        try await sql.delete(from: Blob.schema).where("id", .in, garbage).run()
        return garbage.count
    }

    package init(database: any Database, references: [BlobReference]) {
        self.database = database
        self.references = references
    }
}
