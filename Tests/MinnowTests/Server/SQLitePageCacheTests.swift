// SQLite's page cache is bounded on every connection of the server's pool (see
// `DatabaseSetup.boundPageCaches`): a connection left at SQLite's default 2,000 KiB would
// bring back the heap fragmentation the soak benchmark measured.
import Fluent
@testable import MinnowCore
@testable import MinnowServer
import SQLKit
import Testing

@Suite("SQLite page cache")
struct SQLitePageCacheTests {
    @Test func everyConnectionIsBounded() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup: one connection per event loop
            let loops = Array(server.app.eventLoopGroup.makeIterator())
            #expect(loops.count >= 1)
            // act
            var sizes: [Int] = []
            for loop in loops {
                let db = try #require(
                    server.app.databases.database(logger: server.app.logger, on: loop) as? any SQLDatabase)
                let row = try #require(try await db.raw("PRAGMA cache_size").first())
                sizes.append(try row.decode(column: "cache_size", as: Int.self))
            }
            // check: negative means KiB
            #expect(sizes == Array(repeating: -DatabaseSetup.pageCacheKiB, count: loops.count))
        }
    }
}
