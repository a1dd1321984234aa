// A transaction that means to write, on either database. SQLite's plain `BEGIN` (what Fluent's
// `transaction` sends) starts as a reader and becomes a writer at its first write; in WAL mode
// that upgrade fails at once with SQLITE_BUSY ("database is locked", the busy handler is not
// consulted) when any other connection committed since the transaction's first read: a lease
// heartbeat, a worker's training events, another upload. `BEGIN IMMEDIATE` takes the write lock
// first (waiting for it through the busy handler), so a batch that reads before it writes
// cannot be failed by a writer elsewhere. PostgreSQL needs nothing of the kind.
import Fluent
import SQLKit

extension Database {
    /// Runs `body` in a transaction that holds SQLite's write lock from its start (a normal
    /// Fluent transaction on PostgreSQL, or inside a transaction already open). `body` must not
    /// open a transaction of its own.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard !inTransaction, let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite" else {
            return try await transaction(body)
        }
        return try await withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("BEGIN IMMEDIATE TRANSACTION").run()
            do {
                let result = try await body(connection)
                try await sql.raw("COMMIT TRANSACTION").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK TRANSACTION").run()
                throw error
            }
        }
    }
}
