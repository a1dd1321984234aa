// Which tables a backup holds, in an order that satisfies their foreign keys, and what the
// connected database declares for their columns (SQLite's declared types, PostgreSQL's
// information_schema). Fluent's own bookkeeping (`_fluent_migrations`) is not copied: a
// restore runs this version's migrations and checks the backup's list against them.
import FluentKit
import Foundation
import SQLKit

package enum BackupSchema {
    /// Every table the migrations create, parents before children. A test checks this list
    /// against a freshly migrated database, so a new table cannot be left out of backups.
    package static let tables = [
        "users", "revoked_tokens", "login_counters", "projects", "blobs", "images", "boxes",
        "jobs", "job_events", "iterations", "iteration_images", "deployments", "bridges", "devices", "api_keys",
        "device_installs", "observations", "sightings",
    ]
    package static let migrationsTable = "_fluent_migrations"

    package struct Column: Equatable {
        package var name: String
        package var kind: ColumnKind

        package init(name: String, kind: ColumnKind) {
            self.name = name
            self.kind = kind
        }
    }

    package static func isSQLite(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "sqlite" }

    /// Names of the tables in the connected database.
    package static func existingTables(_ sql: any SQLDatabase) async throws -> Set<String> {
        let rows =
            isSQLite(sql)
            ? try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .all()
            : try await sql.raw(
                "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()"
            ).all()
        return Set(try rows.map { try $0.decode(column: "name", as: String.self) })
    }

    /// The table's columns in their declared order, with kinds.
    package static func columns(of table: String, _ sql: any SQLDatabase) async throws -> [Column] {
        if isSQLite(sql) {
            return try await sql.raw("PRAGMA table_info(\(ident: table))").all().map { row in
                let declared = try row.decode(column: "type", as: String.self)
                return Column(
                    name: try row.decode(column: "name", as: String.self), kind: try sqliteKind(declared, table: table))
            }
        }
        return try await sql.raw(
            """
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(bind: table) ORDER BY ordinal_position
            """
        ).all().map { row in
            let declared = try row.decode(column: "data_type", as: String.self)
            return Column(
                name: try row.decode(column: "column_name", as: String.self),
                kind: try postgresKind(declared, table: table))
        }
    }

    /// The column rows are read in: the primary key `id`, else the first column (unique in every table without one).
    package static func orderColumn(_ columns: [Column]) -> String {
        columns.contains { $0.name == "id" } ? "id" : columns[0].name
    }

    /// Names of the migrations the database has run, in the order they ran.
    package static func migrations(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.raw("SELECT name FROM \(ident: migrationsTable) ORDER BY batch, created_at, name").all()
            .map { try $0.decode(column: "name", as: String.self) }
    }

    private static func sqliteKind(_ declared: String, table: String) throws -> ColumnKind {
        switch declared.uppercased() {
        case "INTEGER", "INT", "BIGINT": return .integer
        case "REAL", "DOUBLE", "FLOAT": return .real
        case "TEXT", "JSON": return .text
        case "BLOB": return .blob
        case "UUID": return .uuid
        case "BOOLEAN": return .bool
        default: throw BackupError(description: "\(table): no backup kind for the SQLite type \(declared)")
        }
    }

    private static func postgresKind(_ declared: String, table: String) throws -> ColumnKind {
        switch declared {
        case "smallint", "integer", "bigint": return .integer
        case "real", "double precision", "numeric": return .real
        case "text", "character varying", "character": return .text
        case "bytea": return .blob
        case "uuid": return .uuid
        case "boolean": return .bool
        case "timestamp with time zone", "timestamp without time zone": return .timestamp
        default: throw BackupError(description: "\(table): no backup kind for the PostgreSQL type \(declared)")
        }
    }
}

extension SQLRow {
    /// The cell `column` read as `kind`.
    package func portableValue(_ column: String, kind: ColumnKind) throws -> PortableValue {
        if try decodeNil(column: column) { return .null }
        switch kind {
        case .integer: return .integer(try decode(column: column, as: Int64.self))
        case .real: return .real(try decode(column: column, as: Double.self))
        case .text: return .text(try decode(column: column, as: String.self))
        case .blob: return .blob(try decode(column: column, as: Data.self))
        case .uuid: return .uuid(try decode(column: column, as: UUID.self))
        case .bool: return .bool(try decode(column: column, as: Bool.self))
        case .timestamp: return .timestamp(try decode(column: column, as: Date.self))
        }
    }
}

extension PortableValue {
    /// The value as a bind parameter for the database driver.
    package var bind: any SQLExpression {
        switch self {
        case .null: return SQLLiteral.null
        case .integer(let value): return SQLBind(value)
        case .real(let value): return SQLBind(value)
        case .text(let value): return SQLBind(value)
        case .blob(let value): return SQLBind(value)
        case .uuid(let value): return SQLBind(value)
        case .bool(let value): return SQLBind(value)
        case .timestamp(let value): return SQLBind(value)
        }
    }
}
