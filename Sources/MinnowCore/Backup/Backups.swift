// The entry points of `minnow backup` and `minnow restore`: open the configured database
// (the same --data-dir or --database-url the server uses) without starting a server.
import FluentKit
import Foundation
import Logging

public enum Backups {
    /// Writes a backup of the configured database to `path` (which must not exist yet).
    /// Safe while a server and workers are running.
    public static func backup(_ config: ServerConfiguration, to path: String) async throws -> BackupSummary {
        if config.databaseURL == nil, !FileManager.default.fileExists(atPath: config.sqliteFile) {
            throw BackupError(
                description:
                    "there is no database at \(config.sqliteFile): point --data-dir at the server's data directory")
        }
        return try await withDatabase(config, migrate: false) { try await DatabaseBackup.write($0, to: path) }
    }

    /// Restores the backup at `path` into the configured database, which must be empty (a new
    /// data directory, or a new PostgreSQL database). The token-signing secret is not part of
    /// a backup: people sign in again; API and deployment keys keep working.
    public static func restore(_ config: ServerConfiguration, from path: String) async throws -> BackupSummary {
        let checked = try DatabaseRestore.verify(path)  // before creating anything
        return try await withDatabase(config, migrate: true) {
            try await DatabaseRestore.restore($0, from: path, checked: checked)
        }
    }

    private static func withDatabase<T>(
        _ config: ServerConfiguration, migrate: Bool, _ body: (any Database) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "minnow")
        logger.logLevel = .warning
        return try await StandaloneDatabase.with(config, logger: logger, migrate: migrate, body)
    }
}
