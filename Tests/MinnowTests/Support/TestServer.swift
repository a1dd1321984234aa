// A real Minnow server on a free loopback port with its own fresh database, and a small
// HTTP client to talk to it. Each test gets its own, so tests run in parallel.
import AsyncHTTPClient
import Fluent
import FluentPostgresDriver
import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import NIOCore
import NIOHTTP1
@testable import MinnowServer
import SQLKit
import Testing
import Vapor

struct TestServer: Sendable {
    let app: Application
    let baseURL: String
    let config: ServerConfiguration

    var services: MinnowServices { app.storage[MinnowServices.Key.self]! }

    static func with<T>(
        _ database: TestDatabase,
        configure adjust: (inout ServerConfiguration) -> Void = { _ in },
        _ body: (TestServer) async throws -> T
    ) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "minnow-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = ServerConfiguration()
        config.host = "127.0.0.1"
        config.port = 0
        config.dataDirectory = directory.path
        config.bcryptCost = 4
        config.databaseURL = try await freshDatabaseURL(for: database)
        adjust(&config)

        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        do {
            try await configure(app, config)
            try await app.asyncBoot()
            try await app.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(app.http.server.shared.localAddress?.port)
            let result = try await body(TestServer(app: app, baseURL: "http://127.0.0.1:\(port)", config: config))
            await app.server.shutdown()
            try await app.asyncShutdown()
            return result
        } catch {
            await app.server.shutdown()
            try? await app.asyncShutdown()
            throw error
        }
    }

    /// nil for SQLite; for PostgreSQL a new, empty database in the test cluster.
    static func freshDatabaseURL(for database: TestDatabase) async throws -> String? {
        guard database == .postgres else { return nil }
        let adminURL = try #require(
            TestDatabase.postgresURL, "MINNOW_TEST_POSTGRES_URL is not set: run the tests with `make test`.")
        let name = "test_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased())"
        let admin = try await Application.make(.testing)
        admin.logger.logLevel = .error
        do {
            var configuration = try SQLPostgresConfiguration(url: adminURL)
            configuration.coreConfiguration.tls = .disable
            admin.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 1), as: .psql)
            try await (admin.db as! any SQLDatabase).raw("CREATE DATABASE \(unsafeRaw: name)").run()
            try await admin.asyncShutdown()
        } catch {
            try? await admin.asyncShutdown()
            throw error
        }
        return adminURL.replacingOccurrences(of: "/postgres", with: "/\(name)")
    }
}
