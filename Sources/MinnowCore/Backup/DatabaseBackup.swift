// `minnow backup` and `minnow restore`: a consistent online copy of the whole database
// (images, models and firmware included: blobs live in the database) in the portable format
// of `BackupFormat`, and its restore into an empty SQLite data directory or PostgreSQL
// database, either kind from either kind.
import FluentKit
import Foundation
import SQLKit

public struct BackupSummary: Sendable {
    /// Rows per table, in backup order.
    public var tables: [(name: String, rows: Int)]
    public var bytes: Int
    public var sha256: String

    public var rows: Int { tables.reduce(0) { $0 + $1.rows } }
}

package enum DatabaseBackup {
    /// Rows read per query: few for blobs (each may be megabytes), more for the rest.
    package static func pageSize(_ table: String) -> Int { table == "blobs" ? 16 : 500 }

    /// Writes every table of `db` to a new file at `path`, from one read snapshot: a server
    /// may keep writing meanwhile (SQLite in WAL mode, PostgreSQL repeatable read).
    package static func write(_ db: any Database, to path: String, now: Date = Date()) async throws -> BackupSummary {
        try await readSnapshot(db) { sql in
            let existing = try await BackupSchema.existingTables(sql)
            guard existing.contains(BackupSchema.migrationsTable) else {
                throw BackupError(
                    description: "this is not a Minnow database (it has no \(BackupSchema.migrationsTable) table)")
            }
            let unknown = existing.subtracting(BackupSchema.tables + [BackupSchema.migrationsTable]).sorted()
            guard unknown.isEmpty else {
                throw BackupError(
                    description:
                        "the database has tables this minnow does not know (\(unknown.joined(separator: ", "))): back up with the same version as the server"
                )
            }
            let writer = try BackupFileWriter(path: path)
            do {
                try writer.writeLine(
                    BackupFormat.Header(
                        format: BackupFormat.name, version: BackupFormat.version, createdAt: now,
                        source: BackupSchema.isSQLite(sql) ? "sqlite" : "postgresql",
                        migrations: try await BackupSchema.migrations(sql)))
                var tables: [(name: String, rows: Int)] = []
                for table in BackupSchema.tables where existing.contains(table) {
                    tables.append((table, try await writeTable(table, sql, to: writer)))
                }
                let summary = BackupSummary(tables: tables, bytes: writer.bytes, sha256: writer.sha256)
                try writer.finish(
                    manifest: .init(
                        end: true, tables: Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0.rows) }),
                        bytes: summary.bytes, sha256: summary.sha256))
                return summary
            } catch {
                writer.abandon()
                throw error
            }
        }
    }

    private static func writeTable(
        _ table: String, _ sql: any SQLDatabase, to writer: BackupFileWriter
    ) async throws -> Int {
        let columns = try await BackupSchema.columns(of: table, sql)
        try writer.writeLine(
            BackupFormat.TableHeader(table: table, columns: columns.map(\.name), kinds: columns.map(\.kind)))
        let order = BackupSchema.orderColumn(columns)
        let orderKind = columns.first { $0.name == order }!.kind
        var rows = 0
        var after: PortableValue?
        while true {
            var query = sql.select().columns(columns.map { SQLIdentifier($0.name) }).from(table)
            if let after { query = query.where(SQLIdentifier(order), .greaterThan, after.bind) }
            let page = try await query.orderBy(order).limit(pageSize(table)).all()
            for row in page {
                try writer.writeLine(try columns.map { try row.portableValue($0.name, kind: $0.kind) })
            }
            rows += page.count
            guard let last = page.last, page.count == pageSize(table) else { return rows }
            after = try last.portableValue(order, kind: orderKind)
        }
    }

    /// Runs `body` on one connection inside a read transaction that sees one snapshot.
    private static func readSnapshot<T: Sendable>(
        _ db: any Database, _ body: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        guard let sql = db as? any SQLDatabase else { throw BackupError(description: "backups need an SQL database") }
        let begin =
            BackupSchema.isSQLite(sql)
            ? "BEGIN DEFERRED TRANSACTION" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        return try await db.transaction(beginningWith: begin) { try await body($0) }
    }
}
