// What the API handlers work with, given once when the handler is made: the server passes its
// application's databases and services, the handler unit tests an in-memory SQLite database.
// Only what is per request (the caller's credentials) comes with the request.
import Fluent
import Foundation
import MinnowCore
import Vapor

struct APIDependencies: Sendable {
    /// A database for one operation: the server's spreads operations over its event loops'
    /// connection pools, as requests' own databases do.
    let database: @Sendable () -> any Database
    let services: MinnowServices
    /// Now, for what the handlers compare with the time (today's frame count of a key).
    let clock: @Sendable () -> Date
    /// Where blocking work runs (decoding uploaded images, generating libraries).
    let threadPool: NIOThreadPool
    /// Hashes and checks passwords off the event loops (the server's: bcrypt at its configured cost).
    let passwords: @Sendable () -> AsyncPasswordHasher

    init(
        database: @escaping @Sendable () -> any Database, services: MinnowServices,
        clock: @escaping @Sendable () -> Date = { Date() },
        threadPool: NIOThreadPool = .singleton, passwords: @escaping @Sendable () -> AsyncPasswordHasher
    ) {
        self.database = database
        self.services = services
        self.clock = clock
        self.threadPool = threadPool
        self.passwords = passwords
    }

    /// The server's: the application's default database.
    init(app: Application, services: MinnowServices, clock: @escaping @Sendable () -> Date = { Date() }) {
        let databases = app.databases, group = app.eventLoopGroup, logger = app.logger
        let hasher = app.password.sync, threadPool = app.threadPool
        self.init(
            database: { databases.database(logger: logger, on: group.any())! }, services: services, clock: clock,
            threadPool: threadPool,
            passwords: { hasher.async(on: threadPool, hopTo: group.any()) })
    }
}
