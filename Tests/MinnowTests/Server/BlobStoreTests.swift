import Foundation
@testable import MinnowCore
@testable import MinnowWorker
import SQLKit
import Testing
@testable import MinnowServer

@Suite("Content-addressed blob storage")
struct BlobStoreTests {
    @Test(arguments: TestDatabase.all)
    func storesOncePerContentAndCollectsWhatNothingReferences(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            // setup: a table that refers to blobs
            let sql = try #require(server.app.db as? any SQLDatabase)
            try await sql.create(table: "blob_users").column("blob_id", type: .text).run()
            let store = DatabaseBlobStore(
                database: server.app.db, references: [BlobReference(table: "blob_users", column: "blob_id")])
            let kept = Data("kept bytes".utf8)
            let dropped = Data((0..<100_000).map { UInt8($0 % 251) })

            // act
            let keptID = try await store.put(kept)
            let again = try await store.put(kept)
            let droppedID = try await store.put(dropped)
            try await sql.insert(into: "blob_users").columns("blob_id").values(SQLBind(keptID.hex)).run()
            let spared = try await store.collectGarbage(gracePeriod: 3600)
            let removed = try await store.collectGarbage(gracePeriod: -1)

            // check
            #expect(keptID == again && keptID == BlobID(content: kept))
            #expect(spared == 0, "recent blobs survive collection")
            #expect(removed == 1)
            #expect(try await store.get(keptID) == kept)
            #expect(try await store.get(droppedID) == nil)
            #expect(try await server.count("blobs") == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func concurrentWritersOfTheSameContentAgree(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let store = DatabaseBlobStore(database: server.app.db, references: [])
            let content = Data("same".utf8)
            let ids = try await withThrowingTaskGroup(of: BlobID.self) { group in
                for _ in 0..<16 { group.addTask { try await store.put(content) } }
                return try await group.reduce(into: Set<BlobID>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await server.count("blobs") == 1)
        }
    }

    @Test func idsAreSHA256() {
        // echo -n abc | sha256sum
        #expect(
            BlobID(content: Data("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(BlobID(hex: "xyz") == nil)
    }
}
