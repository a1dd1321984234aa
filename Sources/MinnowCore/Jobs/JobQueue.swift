// The job queue lives in the database. Worker processes claim the oldest queued job with a
// lease (worker id + expiry on the database's clock), renew it by heartbeat, and finish it
// only while they still hold it. A worker that dies stops renewing: once its lease expires
// the next claim takes the job again (bounded by `max_attempts`, then it fails).
// PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so many workers never wait on each other;
// SQLite has one writer at a time, so a claim (one UPDATE statement) is atomic as it is.
import FluentKit
import Foundation
import SQLKit

package struct JobQueue: Sendable {
    package let db: any Database
    /// How long a claim lasts without a heartbeat.
    package var leaseSeconds: Double = 15

    /// Thrown by `finish` when the worker no longer holds the job (its lease expired and
    /// the job was claimed again, or it was canceled meanwhile): nothing it wrote is kept.
    package struct LeaseLost: Error {}

    package enum Heartbeat: Equatable { case keep, cancel, lost }

    private var sql: any SQLDatabase { db as! any SQLDatabase }
    private var isPostgres: Bool { sql.dialect.name == "postgresql" }

    /// The database's clock in Unix seconds, as SQL.
    private var now: SQLQueryString {
        isPostgres ? "extract(epoch from clock_timestamp())" : "((julianday('now') - 2440587.5) * 86400.0)"
    }

    /// Claims the oldest job of one of `kinds` that is queued or whose lease expired.
    package func claim(worker: String, kinds: [JobKind]) async throws -> Job? {
        try await reapExpired()
        let lock: SQLQueryString = isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        let rows = try await sql.raw(
            """
            UPDATE jobs SET status = \(JobStatus.running.sqlLiteral), lease_owner = \(bind: worker), lease_expires_at = \(now) + \(bind: leaseSeconds),
                attempts = attempts + 1, started_at = COALESCE(started_at, \(bind: Date()))
            WHERE id = (SELECT id FROM jobs WHERE kind IN (\(literals: kinds.map(\.rawValue), joinedBy: ", ")) AND cancel_requested = \(bind: false)
                AND (status = \(JobStatus.queued.sqlLiteral) OR (status = \(JobStatus.running.sqlLiteral) AND lease_expires_at < \(now)))
                ORDER BY created_at LIMIT 1\(lock))
            RETURNING id
            """
        ).all()
        guard let row = rows.first else { return nil }
        return try await Job.find(try row.decode(column: "id", as: UUID.self), on: db)
    }

    /// Takes a job that this process runs itself (a zip import runs where its archive was
    /// spooled): running, one attempt, under `owner`'s lease, renewed by `heartbeat`.
    package func hold(_ jobID: UUID, owner: String) async throws {
        try await sql.raw(
            """
            UPDATE jobs SET status = \(JobStatus.running.sqlLiteral), lease_owner = \(bind: owner), lease_expires_at = \(now) + \(bind: leaseSeconds),
                attempts = 1, max_attempts = 1, started_at = \(bind: Date()), updated_at = \(bind: Date())
            WHERE id = \(bind: jobID) AND status = \(JobStatus.queued.sqlLiteral)
            """
        ).run()
    }

    /// Renews the lease; says whether to go on, stop because someone canceled, or give up
    /// because the job is no longer this worker's.
    package func heartbeat(_ jobID: UUID, worker: String) async throws -> Heartbeat {
        let rows = try await sql.raw(
            """
            UPDATE jobs SET lease_expires_at = \(now) + \(bind: leaseSeconds)
            WHERE id = \(bind: jobID) AND lease_owner = \(bind: worker) AND status = \(JobStatus.running.sqlLiteral)
            RETURNING cancel_requested
            """
        ).all()
        guard let row = rows.first else { return .lost }
        return try row.decode(column: "cancel_requested", as: Bool.self) ? .cancel : .keep
    }

    /// Ends the job as `status` and, in the same transaction, runs `alsoWrite` (the job's
    /// results). The job's input blob is released (garbage collection removes it). Throws `LeaseLost`, writing nothing, when the job is no longer this worker's.
    package func finish(
        _ jobID: UUID, worker: String, status: JobStatus, result: String? = nil, error: String? = nil,
        alsoWrite: @Sendable @escaping (any Database) async throws -> Void = { _ in }
    ) async throws {
        try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            let rows = try await sql.raw(
                """
                UPDATE jobs SET status = \(bind: status.rawValue), result = \(bind: result), error = \(bind: error),
                    lease_owner = NULL, lease_expires_at = NULL, input_blob_id = NULL, finished_at = \(bind: Date()), updated_at = \(bind: Date())
                WHERE id = \(bind: jobID) AND lease_owner = \(bind: worker) AND status = \(JobStatus.running.sqlLiteral)
                RETURNING id
                """
            ).all()
            guard !rows.isEmpty else { throw LeaseLost() }
            try await alsoWrite(tx)
        }
    }

    /// Gives a job back unfinished (the worker is shutting down): the attempt does not count.
    package func release(_ jobID: UUID, worker: String) async throws {
        try await sql.raw(
            """
            UPDATE jobs SET status = \(JobStatus.queued.sqlLiteral), lease_owner = NULL, lease_expires_at = NULL, attempts = attempts - 1
            WHERE id = \(bind: jobID) AND lease_owner = \(bind: worker) AND status = \(JobStatus.running.sqlLiteral)
            """
        ).run()
    }

    /// Jobs whose worker vanished: canceled ones end as canceled, ones out of attempts fail.
    /// Their iterations follow.
    package func reapExpired() async throws {
        let canceled = try await sql.raw(
            """
            UPDATE jobs SET status = \(JobStatus.canceled.sqlLiteral), lease_owner = NULL, lease_expires_at = NULL, finished_at = \(bind: Date())
            WHERE status = \(JobStatus.running.sqlLiteral) AND lease_expires_at < \(now) AND cancel_requested = \(bind: true)
            RETURNING iteration_id, kind
            """
        ).all()
        let failed = try await sql.raw(
            """
            UPDATE jobs SET status = \(JobStatus.failed.sqlLiteral), lease_owner = NULL, lease_expires_at = NULL, finished_at = \(bind: Date()),
                error = CASE WHEN kind = \(JobKind.import.sqlLiteral)
                    THEN 'The server importing this archive stopped; images imported before are kept. Import the archive again to add the rest (duplicates are skipped).'
                    ELSE 'The worker running this job stopped responding too many times; see the log, and try again.' END
            WHERE status = \(JobStatus.running.sqlLiteral) AND lease_expires_at < \(now) AND attempts >= max_attempts
            RETURNING iteration_id, kind
            """
        ).all()
        let lost = "Training stopped: the worker running it was lost on every attempt; see the log, and try again."
        for (rows, status, error) in [(canceled, JobStatus.canceled, nil), (failed, .failed, lost)] {
            for row in rows where try row.decode(column: "kind", as: String.self) == JobKind.train.rawValue {
                guard let id = try row.decode(column: "iteration_id", as: UUID?.self) else { continue }
                try await Iteration.query(on: db).filter(\.$id == id).set(\.$status, to: status).set(
                    \.$error, to: error
                )
                .set(\.$finishedAt, to: Date()).update()
            }
        }
    }

    /// Asks a job to stop: a queued one is canceled at once; a running one is told at its
    /// next heartbeat. Returns the job's status afterwards.
    @discardableResult
    package func cancel(_ jobID: UUID) async throws -> JobStatus? {
        try await sql.raw(
            """
            UPDATE jobs SET status = \(JobStatus.canceled.sqlLiteral), cancel_requested = \(bind: true), finished_at = \(bind: Date())
            WHERE id = \(bind: jobID) AND status = \(JobStatus.queued.sqlLiteral)
            """
        ).run()
        try await sql.raw(
            "UPDATE jobs SET cancel_requested = \(bind: true) WHERE id = \(bind: jobID) AND status = \(JobStatus.running.sqlLiteral)"
        ).run()
        return try await Job.find(jobID, on: db)?.status
    }

    package init(db: any Database, leaseSeconds: Double = 15) {
        self.db = db
        self.leaseSeconds = leaseSeconds
    }
}
