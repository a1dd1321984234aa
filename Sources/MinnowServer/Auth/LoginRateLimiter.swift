// Sign-in rate limits, per username (failed attempts) and per client address (all attempts),
// counted in the database table `login_counters` so every API node on one database shares
// them. Each key has a fixed window that starts at its first attempt; one upsert starts or
// bumps it atomically (SQLite and PostgreSQL alike). MaintenanceTask deletes old rows.
import Fluent
import Foundation
import MinnowCore
import SQLKit

struct LoginRateLimiter: Sendable {
    let limits: LoginLimits

    /// Rows older than the longest window `--login-window` accepts are of no use to anyone.
    static let longestWindow: TimeInterval = 86400

    /// Records an attempt from `address`; returns the seconds to wait when over a limit.
    /// Refused attempts count towards the address limit too.
    func admit(username: String, address: String, on db: any Database, now: Date = Date()) async throws -> Int? {
        let sql = try Self.sql(db)
        let attempts = try await Self.increment("address:\(address)", window: limits.window, on: sql, now: now)
        if attempts.count > limits.attemptsPerAddress {
            return retryAfter(windowStart: attempts.windowStart, now: now)
        }
        let cutoff = now.timeIntervalSince1970 - limits.window
        let row = try await sql.raw(
            """
            SELECT hits, window_start FROM login_counters WHERE counter_key = \(bind: "user:\(username)") AND window_start > \(bind: cutoff)
            """
        ).first()
        if let row, try row.decode(column: "hits", as: Int.self) >= limits.failuresPerUsername {
            return retryAfter(windowStart: try row.decode(column: "window_start", as: Double.self), now: now)
        }
        return nil
    }

    func recordFailure(username: String, on db: any Database, now: Date = Date()) async throws {
        _ = try await Self.increment("user:\(username)", window: limits.window, on: Self.sql(db), now: now)
    }

    func recordSuccess(username: String, on db: any Database) async throws {
        try await Self.sql(db).raw("DELETE FROM login_counters WHERE counter_key = \(bind: "user:\(username)")").run()
    }

    /// Deletes counters whose window ended (for any window the settings allow).
    static func removeExpired(on db: any Database, now: Date = Date()) async throws {
        let cutoff = now.timeIntervalSince1970 - longestWindow
        try await sql(db).raw("DELETE FROM login_counters WHERE window_start < \(bind: cutoff)").run()
    }

    /// Adds one to `key`'s count, or starts a new window at `now` with a count of one when
    /// there is no row or its window has ended. One statement, so concurrent nodes never lose a count.
    private static func increment(
        _ key: String, window: TimeInterval, on sql: any SQLDatabase, now: Date
    ) async throws -> (count: Int, windowStart: Double) {
        let start = now.timeIntervalSince1970, cutoff = start - window
        let row = try await sql.raw(
            """
            INSERT INTO login_counters (counter_key, window_start, hits) VALUES (\(bind: key), \(bind: start), 1)
            ON CONFLICT (counter_key) DO UPDATE SET
                hits = CASE WHEN login_counters.window_start <= \(bind: cutoff) THEN 1 ELSE login_counters.hits + 1 END,
                window_start = CASE WHEN login_counters.window_start <= \(bind: cutoff) THEN \(bind: start) ELSE login_counters.window_start END
            RETURNING hits, window_start
            """
        ).first()
        guard let row else { return (1, start) }
        return (try row.decode(column: "hits", as: Int.self), try row.decode(column: "window_start", as: Double.self))
    }

    private static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else {
            throw ConfigurationError(description: "Sign-in limits need an SQL database.")
        }
        return sql
    }

    private func retryAfter(windowStart: Double, now: Date) -> Int {
        max(1, Int((windowStart + limits.window - now.timeIntervalSince1970).rounded(.up)))
    }
}
