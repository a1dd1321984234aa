// Chooses the database: PostgreSQL when a URL is configured, otherwise an SQLite file in
// the data directory. Both run the same Fluent migrations.
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import Vapor

enum DatabaseSetup {
    static func use(_ config: ServerConfiguration, on app: Application) throws {
        if let url = config.databaseURL {
            guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else {
                throw ConfigurationError(description: "DATABASE_URL must start with postgres:// (got a different scheme).")
            }
            var postgres = try SQLPostgresConfiguration(url: url)
            postgres.coreConfiguration.tls = .disable
            app.databases.use(.postgres(configuration: postgres), as: .psql)
        } else {
            try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            app.databases.use(.sqlite(.file(config.sqliteFile)), as: .sqlite)
        }
    }

    /// SQLite in write-ahead-log mode: readers never wait for the writer, and a commit costs
    /// one sync instead of several. The mode is stored in the database file.
    static func tune(_ config: ServerConfiguration, on app: Application) async throws {
        guard config.databaseURL == nil, let sql = app.db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA journal_mode=WAL").run()
    }

    static func registerMigrations(on app: Application) {
        app.migrations.add(CreateUser())
        app.migrations.add(CreateRevokedToken())
        app.migrations.add(CreateProject())
        app.migrations.add(CreateAPIKey())
        app.migrations.add(CreateBlob())
        app.migrations.add(CreateImage())
        app.migrations.add(CreateBox())
        app.migrations.add(CreateJob())
        app.migrations.add(CreateIteration())
        app.migrations.add(CreateIterationImage())
        app.migrations.add(AddJobLeases())
        app.migrations.add(CreateJobEvent())
        app.migrations.add(CreateDeployment())
        app.migrations.add(CreateDevices())
        app.migrations.add(CreateLoginCounters())
        app.migrations.add(AddDeploymentQuota())
        app.migrations.add(AddCameras())
    }
}
