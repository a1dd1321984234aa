// A batch of images whose transaction cannot get a database connection in time is tried
// again, not lost: the CI machine once failed a 1,280-image import after 384 when the
// batch's connection request timed out on a busy PostgreSQL pool.
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Database failures that pass")
struct TransientFailureTests {
    @Test(arguments: TestDatabase.all)
    func aBatchThatWaitedTooLongForAConnectionIsStoredOnTheNextTry(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let projectID = try #require(UUID(uuidString: try await server.createProject("p", token: token)))
            // the same database through a pool of one connection that gives up waiting after a second
            let tight = DatabaseID(string: "tight")
            if let url = server.config.databaseURL {
                var configuration = try SQLPostgresConfiguration(url: url)
                configuration.coreConfiguration.tls = .disable
                server.app.databases.use(
                    .postgres(
                        configuration: configuration, maxConnectionsPerEventLoop: 1,
                        connectionPoolTimeout: .seconds(1)), as: tight)
            } else {
                server.app.databases.use(
                    .sqlite(.file(server.config.sqliteFile), connectionPoolTimeout: .seconds(1)), as: tight)
            }
            let loop = server.app.eventLoopGroup.next()
            let db = try #require(server.app.databases.database(tight, logger: server.app.logger, on: loop))
            let ingest = ImageIngest(db: db, projectID: projectID, threadPool: server.app.threadPool)
            let prepared = try await ingest.prepareAll(
                [(TestImages.png(seed: 7), "a.png", "cat", nil)], source: .upload)
            /// Takes the pool's only connection and keeps it for `duration`; returns once it holds it.
            func holdTheOnlyConnection(for duration: Duration) async -> Task<Void, any Error> {
                let (held, signal) = AsyncStream.makeStream(of: Void.self)
                let holder = Task {
                    try await db.withConnection { _ in
                        signal.yield()
                        try await Task.sleep(for: duration)
                    }
                }
                for await _ in held { break }
                return holder
            }

            // control: with the connection held, one attempt really fails with the pool's timeout
            let holder = await holdTheOnlyConnection(for: .seconds(3))
            await #expect(throws: ConnectionPoolTimeoutError.self) {
                try await TransientFailures.retrying(attempts: 1, logger: server.app.logger) {
                    try await db.withConnection { _ in () }
                }
            }
            try await holder.value

            // act: the batch's first tries time out while the connection is held; a later one stores it
            let secondHolder = await holdTheOnlyConnection(for: .seconds(3))
            let outcomes = try await ingest.store(prepared)
            try await secondHolder.value

            #expect(outcomes.map(\.status) == [.accepted])
            let stored = try await DatasetImage.query(on: server.app.db).filter(\.$project.$id == projectID).all()
            #expect(stored.map(\.fileName) == ["a.png"])
        }
    }

    @Test func onlyFailuresThatPassAreTriedAgain() async throws {
        struct Broken: Error {}
        let logger = Logger(label: "test")
        var calls = 0
        await #expect(throws: Broken.self) {
            try await TransientFailures.retrying(logger: logger) {
                calls += 1; throw Broken()
            }
        }
        #expect(calls == 1)
        calls = 0
        await #expect(throws: ConnectionPoolTimeoutError.self) {
            try await TransientFailures.retrying(attempts: 2, logger: logger) {
                calls += 1
                throw ConnectionPoolTimeoutError.connectionRequestTimeout
            }
        }
        #expect(calls == 2)
    }
}
