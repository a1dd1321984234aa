// `minnow backup` and `minnow restore`: the whole database (blobs included) to one file and
// back, into SQLite or PostgreSQL. They work on the database directly, like `minnow worker`.
import ArgumentParser
import Foundation
import MinnowCore
import MinnowServer

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the whole database (images, models, firmware included) to one file.",
        discussion: """
            A consistent copy from one snapshot, safe while the server runs. The file is JSON \
            lines with a manifest and a SHA-256 checksum, readable by its owner only (it holds \
            password hashes and every image). It restores into SQLite or PostgreSQL, so it is \
            also how to move from SQLite to PostgreSQL. The token-signing secret is not included.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Option(name: [.short, .customLong("output")], help: "The file to write (must not exist).") var output: String

    func run() async throws {
        let summary: BackupSummary
        do {
            summary = try await Backups.backup(try database.resolve(), to: output)
        } catch let error as BackupError {
            throw CLIFailure("backup failed: \(error.description)")
        }
        print(
            "backed up \(summary.rows) rows of \(summary.tables.count) tables to \(output) (\(summary.bytes) bytes, sha256 \(summary.sha256))"
        )
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into an empty data directory or PostgreSQL database.",
        discussion: """
            Checks the file's checksum first and writes nothing from a damaged file. The target \
            (--data-dir for SQLite, or --database-url) must be new or empty; the restore is one \
            transaction. Afterwards start `minnow serve` on it; people sign in again.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The backup file.") var file: String

    func run() async throws {
        let summary: BackupSummary
        do {
            summary = try await Backups.restore(try database.resolve(), from: file)
        } catch let error as BackupError {
            throw CLIFailure("restore failed: \(error.description)")
        }
        for table in summary.tables where table.rows > 0 { print("  \(table.name): \(table.rows)") }
        print("restored \(summary.rows) rows of \(summary.tables.count) tables from \(file)")
    }
}
