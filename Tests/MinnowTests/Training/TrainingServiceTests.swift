// The training service end to end through HTTP: an iteration trains on a frozen snapshot in a
// worker, streams its progress, and ends with float and int8 results, a model card and
// artifacts; refusals and failures are readable and lose nothing.
import Fluent
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Training iterations")
struct TrainingServiceTests {
    @Test(arguments: TestDatabase.all)
    func anIterationTrainsAndReportsResults(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            // setup
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            try await server.uploadStripes(to: project, token: token)

            // act
            let created = try await server.startIteration(project, token: token)
            let id = try #require(created["id"] as? String)
            #expect(created["status"] as? String == "queued" && created["number"] as? Int == 1)
            // The snapshot is frozen: images added now are not part of this iteration.
            _ = try await server.uploadImages([900, 901], label: "across", split: "train", to: project, token: token)
            let finished = try await server.withWorker { try await server.waitForIteration(project, id, token: token) }

            // check
            #expect(finished["status"] as? String == "succeeded", "\(finished)")
            let dataset = try #require(finished["dataset"] as? [String: Any])
            #expect(
                dataset["train"] as? Int == 48 && dataset["test"] as? Int == 16
                    && dataset["labels"] as? [String] == ["across", "down"])
            let configuration = try #require(finished["configuration"] as? [String: Any])
            #expect(
                configuration["epochs"] as? Int == 4 && configuration["optimizer"] as? String == "adam"
                    && configuration["schedule"] as? String == "cosine")
            let results = try #require(finished["results"] as? [String: Any])
            #expect((results["curves"] as? [Any])?.count == 4)
            let float = try #require(results["float"] as? [String: Any]),
                int8 = try #require(results["int8"] as? [String: Any])
            #expect((float["accuracy"] as? Double ?? 0) >= 0.9, "float \(float)")
            #expect((int8["accuracy"] as? Double ?? 0) >= 0.9, "int8 \(int8)")
            let confusion = try #require(int8["confusionMatrix"] as? [[Int]])
            #expect(confusion.flatMap { $0 }.reduce(0, +) == 16)
            #expect((int8["perClass"] as? [[String: Any]])?.map { $0["label"] as? String } == ["across", "down"])
            #expect(finished["attempts"] as? Int == 1 && finished["finishedAt"] != nil)

            let card = try await server.request(
                .GET, "/v1/projects/\(project)/iterations/\(id)/artifacts/model-card", token: token)
            #expect(card.status == 200 && card["labels"] as? [String] == ["across", "down"])
            let boards = card["boards"] as? [[String: Any]] ?? []
            #expect(
                Set(boards.compactMap { $0["board"] as? String }).isSuperset(of: ["nano33ble", "pico", "mps2-an386"])
                    && (card["arenaBytes"] as? Int ?? 0) > 0)
            #expect(
                boards.allSatisfy { ($0["instructions"] as? Int ?? 0) > 0 },
                "every board has an instruction count: \(boards)")

            let list = try await server.request(.GET, "/v1/projects/\(project)/iterations", token: token)
            #expect((list["items"] as? [[String: Any]])?.first?["id"] as? String == id)
        }
    }

    @Test(arguments: TestDatabase.all)
    func progressStreamsAsEventsAndResumesWhereItStopped(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            try await server.uploadStripes(to: project, token: token)
            let id = try #require(try await server.startIteration(project, token: token)["id"] as? String)
            _ = try await server.withWorker { try await server.waitForIteration(project, id, token: token) }
            let path = "/v1/projects/\(project)/iterations/\(id)/events"

            // Polling: everything, in order, ending with success.
            let page = try await server.request(.GET, path, token: token, headers: [("Accept", "application/json")])
            let events = try #require(page["items"] as? [[String: Any]])
            let kinds = events.compactMap { $0["kind"] as? String }
            #expect(page["finished"] as? Bool == true && page["status"] as? String == "succeeded")
            #expect(
                kinds.first == "status" && kinds.filter { $0 == "epoch" }.count == 4 && kinds.contains("progress")
                    && kinds.contains("log"))
            #expect((events.last?["status"] as? String) == "succeeded")
            let ids = events.compactMap { $0["id"] as? Int }
            #expect(ids == ids.sorted() && Set(ids).count == ids.count)

            // Server-sent events after Last-Event-ID: only what came later, then the stream ends.
            let middle = ids[ids.count / 2]
            let stream = try await server.request(
                .GET, path, token: token, headers: [("Accept", "text/event-stream"), ("Last-Event-ID", "\(middle)")])
            #expect(
                stream.status == 200
                    && stream.headers.first(name: "Content-Type")?.hasPrefix("text/event-stream") == true)
            let streamed = stream.text.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap {
                Int($0.dropFirst(4))
            }
            #expect(streamed == ids.filter { $0 > middle })
            #expect(stream.text.contains("event: epoch\ndata: {"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aDatasetThatCannotTrainIsRefusedWithReasons(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("one label", token: token)
            _ = try await server.uploadImages(Array(1...6), label: "cat", to: project, token: token)
            let refused = try await server.request(.POST, "/v1/projects/\(project)/iterations", token: token, json: [:])
            #expect(
                refused.status == 422 && refused.errorMessage?.contains("at least two labels") == true,
                "\(refused.text)")

            try await server.uploadStripes(to: project, token: token, perLabel: 6, testPerLabel: 2)
            let badConfig = try await server.request(
                .POST, "/v1/projects/\(project)/iterations", token: token,
                json: ["architecture": "fomo"])
            #expect(badConfig.status == 422 && badConfig.errorMessage?.contains("fomo") == true)
            let outOfRange = try await server.request(
                .POST, "/v1/projects/\(project)/iterations", token: token, json: ["epochs": 0])
            #expect(outOfRange.status == 400 || outOfRange.status == 422)

            let other = try await server.signUp("bob")
            let hidden = try await server.request(.POST, "/v1/projects/\(project)/iterations", token: other, json: [:])
            #expect(hidden.status == 404)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aQueuedIterationCancelsAtOnce(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            try await server.uploadStripes(to: project, token: token, perLabel: 6, testPerLabel: 2)
            let id = try #require(try await server.startIteration(project, token: token)["id"] as? String)

            let canceled = try await server.request(
                .POST, "/v1/projects/\(project)/iterations/\(id)/cancel", token: token)

            #expect(canceled.status == 200 && canceled["status"] as? String == "canceled", "\(canceled.text)")
            let again = try await server.request(.POST, "/v1/projects/\(project)/iterations/\(id)/cancel", token: token)
            #expect(again.status == 409)
            // A worker started afterwards never runs it.
            try await server.withWorker { try await Task.sleep(for: .milliseconds(600)) }
            let after = try await server.request(.GET, "/v1/projects/\(project)/iterations/\(id)", token: token)
            #expect(after["status"] as? String == "canceled" && after["attempts"] as? Int == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aCorruptImageFailsTheJobReadablyAndTouchesNothingElse(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let token = try await server.signUp("ada")
            let project = try await server.createProject("stripes", token: token)
            try await server.uploadStripes(to: project, token: token, perLabel: 6, testPerLabel: 2)
            let broken = try #require(try await server.startIteration(project, token: token)["id"] as? String)
            let healthy = try #require(try await server.startIteration(project, token: token)["id"] as? String)
            // A corrupt file slips into the first snapshot (as if storage were damaged).
            let row = try #require(
                try await IterationImage.query(on: server.app.db).filter(\.$iteration.$id == UUID(uuidString: broken)!)
                    .first())
            let bad = try await DatabaseBlobStore(database: server.app.db, references: BlobReferences.all).put(
                Data("not an image".utf8))
            row.blobID = bad.hex
            try await row.save(on: server.app.db)

            let (failed, succeeded) = try await server.withWorker {
                (
                    try await server.waitForIteration(project, broken, token: token),
                    try await server.waitForIteration(project, healthy, token: token)
                )
            }

            #expect(failed["status"] as? String == "failed")
            let error = try #require(failed["error"] as? String)
            #expect(error.contains(row.fileName) && error.contains("cannot be decoded"), "\(error)")
            #expect(succeeded["status"] as? String == "succeeded")
            let images = try await server.request(.GET, "/v1/projects/\(project)/images?perPage=100", token: token)
            #expect((images["metadata"] as? [String: Any])?["total"] as? Int == 16)
            let log = try await server.request(
                .GET, "/v1/projects/\(project)/iterations/\(broken)/events", token: token,
                headers: [("Accept", "application/json")])
            #expect((log["items"] as? [[String: Any]])?.last?["message"] as? String == error)
        }
    }
}
