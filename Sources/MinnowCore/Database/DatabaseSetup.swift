// Chooses the database: PostgreSQL when a URL is configured, otherwise an SQLite file in
// the data directory. Both run the same Fluent migrations. The server sets up its
// application's databases with it; the worker and the backup commands open one without a
// server (`StandaloneDatabase`).
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import SQLKit

package enum DatabaseSetup {
    package static func use(_ config: ServerConfiguration, on databases: Databases) throws {
        if let url = config.databaseURL {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigurationError(
                    description: "DATABASE_URL must start with postgres:// (got a different scheme).")
            }
            var postgres = try SQLPostgresConfiguration(url: url)
            postgres.coreConfiguration.tls = .disable
            databases.use(.postgres(configuration: postgres), as: .psql)
        } else {
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            databases.use(.sqlite(.file(config.sqliteFile)), as: .sqlite)
        }
    }

    /// SQLite in write-ahead-log mode: readers never wait for the writer, and a commit costs
    /// one sync instead of several. The mode is stored in the database file. Each connection's
    /// page cache is bounded (`boundPageCaches`).
    package static func tune(
        _ config: ServerConfiguration, databases: Databases, on eventLoopGroup: any EventLoopGroup, logger: Logger
    ) async throws {
        guard config.databaseURL == nil,
            let sql = databases.database(logger: logger, on: eventLoopGroup.any()) as? any SQLDatabase
        else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
        try await boundPageCaches(databases: databases, on: eventLoopGroup, logger: logger)
    }

    /// Page cache of each SQLite connection, in KiB (SQLite's default is 2,000 KiB).
    package static let pageCacheKiB = 256

    /// Sets `PRAGMA cache_size` to `pageCacheKiB` on every connection of the SQLite pool; a
    /// no-op on PostgreSQL. The pool keeps one connection per event loop for the application's
    /// lifetime (no pruning), and a database handle made on a loop runs on that loop's
    /// connection, so one statement per loop reaches them all.
    ///
    /// Why small: in WAL mode a connection discards its whole page cache whenever another
    /// connection (the other event loop's, or the worker's) has committed since its last read,
    /// so under mixed load the cache is emptied and refilled, 4 KiB page by 4 KiB page, nearly
    /// every transaction. With the 2,000 KiB default that churn, on the pool's threads and
    /// interleaved with requests' own allocations, fragmented the heap: the server's RSS grew
    /// 0.6-0.8 MiB/min under the SQLite soak with the live heap flat (benchmarks/soak).
    /// Reads that miss the cache are served from the OS's file cache.
    package static func boundPageCaches(
        databases: Databases, on eventLoopGroup: any EventLoopGroup, logger: Logger
    ) async throws {
        for eventLoop in eventLoopGroup.makeIterator() {
            guard let db = databases.database(logger: logger, on: eventLoop) as? any SQLDatabase,
                db.dialect.name == "sqlite"
            else { continue }
            try await db.raw("PRAGMA cache_size = \(unsafeRaw: String(-pageCacheKiB))").run()
        }
    }

    package static func registerMigrations(on migrations: Migrations) {
        migrations.add(CreateUser())
        migrations.add(CreateRevokedToken())
        migrations.add(CreateProject())
        migrations.add(CreateAPIKey())
        migrations.add(CreateBlob())
        migrations.add(CreateImage())
        migrations.add(CreateBox())
        migrations.add(CreateJob())
        migrations.add(CreateIteration())
        migrations.add(CreateIterationImage())
        migrations.add(AddJobLeases())
        migrations.add(CreateJobEvent())
        migrations.add(CreateDeployment())
        migrations.add(CreateDevices())
        migrations.add(CreateLoginCounters())
        migrations.add(AddDeploymentQuota())
        migrations.add(AddCameras())
    }
}
