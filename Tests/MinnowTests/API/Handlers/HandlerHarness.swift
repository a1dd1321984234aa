// Handler unit tests' setting: an `APIHandler` over an in-memory SQLite database, with people
// and keys made directly in it and each operation called as a method, no HTTP. One event loop
// means one connection, so every query sees the same in-memory database.
import Fluent
import FluentSQLiteDriver
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import NIOPosix
import Vapor

struct HandlerHarness: Sendable {
    let app: Application
    let handler: APIHandler

    var services: MinnowServices { handler.services }
    var db: any Database { app.db }

    static func with<T>(
        clock: @escaping @Sendable () -> Date = { Date() }, _ body: (HandlerHarness) async throws -> T
    ) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let app = try await Application.make(.testing, .shared(group))
        app.logger.logLevel = .error
        app.databases.use(.sqlite(.memory), as: .sqlite)
        DatabaseSetup.registerMigrations(on: app.migrations)
        do {
            try await app.autoMigrate()
            // A bridge's claim outlives any test: on a loaded machine a minute can pass between a
            // claim and the check that the install is still the bridge's (tests of expiry pass `now`).
            var config = ServerConfiguration()
            config.installLeaseSeconds = 3600
            let services = MinnowServices(
                config: config, secret: Data(repeating: 7, count: 64), dummyPasswordHash: "unused")
            let result = try await body(
                HandlerHarness(
                    app: app, handler: APIHandler(APIDependencies(app: app, services: services, clock: clock))))
            try await app.asyncShutdown()
            try await group.shutdownGracefully()
            return result
        } catch {
            try? await app.asyncShutdown()
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// A person in the database and the credentials of an access token of theirs.
    func person(_ username: String) async throws -> (id: UUID, credentials: Credentials) {
        let user = User(username: username, passwordHash: "not used: these tests sign in with tokens")
        try await user.save(on: db)
        let (token, _) = try services.tokens.issue(userID: try user.requireID(), generation: user.tokenGeneration)
        return (try user.requireID(), Credentials(bearer: token))
    }

    /// A project of `ownerID`'s, made directly in the database.
    func project(_ name: String, ownerID: UUID) async throws -> Project {
        try await Projects(db: db).create(ownerID: ownerID, name: name, description: nil, task: .classification).get()
    }

    /// An API key of `ownerID`'s for `project` and the credentials that send it.
    func key(_ permissions: Set<Permission>, for project: Project, ownerID: UUID) async throws -> Credentials {
        let created = try await APIKeys(db: db).create(
            ownerID: ownerID, name: "key", projectID: try project.requireID().uuidString, permissions: permissions,
            expiresAt: nil
        ).get()
        return Credentials(bearer: created.secret)
    }

    /// The handler, called as the sender of `credentials` (nil: as someone who sent none).
    func call<T: Sendable>(as credentials: Credentials?, _ operation: (APIHandler) async throws -> T) async throws -> T
    {
        try await CurrentRequest.$credentials.withValue(credentials) { try await operation(handler) }
    }
}
