// The configured database without a server: `minnow worker`, `minnow backup` and `minnow
// restore` open it the way the server does (`DatabaseSetup`), on NIO's shared event loops and
// thread pool, and close it when they are done.
import FluentKit
import Foundation
import Logging
import NIOCore
import NIOPosix

package enum StandaloneDatabase {
    /// Runs `body` on the database `config` names; `migrate` first brings its schema up to
    /// date (an empty database gets every table).
    package static func with<T>(
        _ config: ServerConfiguration, logger: Logger, migrate: Bool,
        _ body: (any Database) async throws -> T
    ) async throws -> T {
        let group = MultiThreadedEventLoopGroup.singleton
        let databases = Databases(threadPool: NIOThreadPool.singleton, on: group)
        do {
            try DatabaseSetup.use(config, on: databases)
            guard let db = databases.database(logger: logger, on: group.any()) else {
                throw ConfigurationError(description: "The database could not be opened.")
            }
            if migrate {
                let migrations = Migrations()
                DatabaseSetup.registerMigrations(on: migrations)
                let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: group.any())
                try await migrator.setupIfNeeded().flatMap { migrator.prepareBatch() }.get()
                try await DatabaseSetup.tune(config, databases: databases, on: group, logger: logger)
            } else {
                try await DatabaseSetup.boundPageCaches(databases: databases, on: group, logger: logger)
            }
            let result = try await body(db)
            await databases.shutdownAsync()
            return result
        } catch {
            await databases.shutdownAsync()
            throw error
        }
    }
}
