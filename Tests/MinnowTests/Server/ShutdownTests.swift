// A request still running when the server shuts down finishes on an open database: the
// client that sent it may be gone (its timeout passed on a loaded machine), but its handler
// keeps going, and used to reach for the database after it was closed, crashing the process.
import AsyncHTTPClient
import Fluent
import Foundation
@testable import MinnowCore
@testable import MinnowServer
import Synchronization
import Testing
import Vapor

@Suite("Shutting down")
struct ShutdownTests {
    @Test func aRequestInFlightFinishesBeforeTheDatabaseCloses() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "minnow-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = ServerConfiguration()
        config.dataDirectory = directory.path
        config.bcryptCost = 4
        let app = try await Application.make(.testing)
        app.logger.logLevel = .error
        try await configure(app, config)
        let answered = Mutex<Int?>(nil)
        app.get("slow") { request async throws -> String in
            try? await Task.sleep(for: .milliseconds(800))
            let users = try await User.query(on: request.db).count()
            answered.withLock { $0 = users }
            return "\(users)"
        }
        try await app.asyncBoot()
        try await app.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(app.http.server.shared.localAddress?.port)

        // act: the client gives up after 200 ms; the server shuts down while the handler sleeps
        await #expect(throws: (any Error).self) {
            _ = try await HTTPClient.shared.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/slow"), timeout: .milliseconds(200))
        }
        #expect(answered.withLock { $0 } == nil, "the handler should still be running")
        await app.server.shutdown()
        try await app.asyncShutdown()

        #expect(answered.withLock { $0 } == 0, "the handler finished on the open database before it closed")
    }
}
