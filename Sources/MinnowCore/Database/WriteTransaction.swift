// A transaction that means to write, on either database. SQLite's plain `BEGIN` (what Fluent's
// `transaction` sends) starts as a reader and becomes a writer at its first write; in WAL mode
// that upgrade fails at once with SQLITE_BUSY ("database is locked", the busy handler is not
// consulted) when any other connection committed since the transaction's first read: a lease
// heartbeat, a worker's training events, another upload. `BEGIN IMMEDIATE` takes the write lock
// first (waiting for it through the busy handler), so a batch that reads before it writes
// cannot be failed by a writer elsewhere. PostgreSQL needs nothing of the kind.
import FluentKit
import SQLKit

extension Database {
    /// Runs `body` in a transaction that holds SQLite's write lock from its start (a normal
    /// Fluent transaction on PostgreSQL, or inside a transaction already open). `body` must not
    /// open a transaction of its own.
    package func writeTransaction<T: Sendable>(
        _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard !inTransaction, let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await transaction(body)
        }
        return try await transaction(beginningWith: "BEGIN IMMEDIATE TRANSACTION") { try await body($0) }
    }

    /// Runs `body` on one connection between the SQL statement `begin` (which opens the
    /// transaction its own way) and COMMIT, or ROLLBACK when `body` throws.
    package func transaction<T: Sendable>(
        beginningWith begin: String,
        _ body: @escaping @Sendable (any Database & SQLDatabase) async throws -> T
    ) async throws -> T {
        try await withConnection { connection in
            guard let sql = connection as? any Database & SQLDatabase else {
                throw ConfigurationError(description: "This transaction needs an SQL database.")
            }
            try await sql.raw("\(unsafeRaw: begin)").run()
            do {
                let result = try await body(sql)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }
}
