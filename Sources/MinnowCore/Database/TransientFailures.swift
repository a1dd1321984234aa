// Database failures that pass: a connection that did not come free in time, SQLite's write
// lock held by another connection, PostgreSQL's serialization failures and deadlocks. Work
// that is safe to repeat (a whole transaction) is tried again after a short wait instead of
// failing what it was part of (an import of thousands of images on a busy server).
import FluentPostgresDriver
import FluentSQLiteDriver

package enum TransientFailures {
    /// True for errors that trying the same work again a moment later can cure.
    package static func pass(_ error: any Error) -> Bool {
        switch error {
        case ConnectionPoolTimeoutError.connectionRequestTimeout:
            return true
        case let error as SQLiteError:
            return [.busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot].contains(error.reason)
        case let error as PSQLError:
            // serialization_failure, deadlock_detected, lock_not_available
            return ["40001", "40P01", "55P03"].contains(error.serverInfo?[.sqlState] ?? "")
        default:
            return false
        }
    }

    /// Runs `work`, again after 0.25, 0.5, 1, 2 … seconds while it fails with an error that
    /// passes, at most `attempts` times in all; other errors and the last one are thrown.
    /// `work` must be safe to repeat (a transaction that rolled back, a read).
    package static func retrying<T: Sendable>(
        attempts: Int = 6, logger: Logger, _ work: () async throws -> T
    ) async throws -> T {
        var wait = Duration.milliseconds(250)
        for attempt in 1... {
            do {
                return try await work()
            } catch  where attempt < attempts && pass(error) {
                logger.warning("database busy, trying again", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: wait)
                wait *= 2
            }
        }
        fatalError("unreachable: the loop returns or throws")
    }
}
