import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Iteration event handlers")
struct IterationEventHandlerTests {
    @Test func pollsAndStreamsTheJobsEvents() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("pets", ownerID: ada.id)
            let iteration = try await harness.queuedIteration(in: pets, ownerID: ada.id)
            let path = Operations.IterationEvents.Input.Path(projectId: iteration.projectId, iterationId: iteration.id)
            let json = Operations.IterationEvents.Input.Headers(accept: [.init(contentType: .json)])
            // act
            let queued = try await harness.call(as: ada.credentials) {
                try await $0.iterationEvents(.init(path: path, headers: json))
            }
            let firstID = try #require(try queued.ok.body.json.items.first?.id)
            _ = try await harness.call(as: ada.credentials) {
                try await $0.cancelIteration(
                    .init(path: .init(projectId: path.projectId, iterationId: path.iterationId)))
            }
            let after = try await harness.call(as: ada.credentials) {
                try await $0.iterationEvents(.init(path: path, query: .init(after: firstID), headers: json))
            }
            let stream = try await harness.call(as: ada.credentials) {
                try await $0.iterationEvents(
                    .init(path: path, headers: .init(accept: [.init(contentType: .textEventStream)])))
            }
            let resumed = try await harness.call(as: ada.credentials) {
                try await $0.iterationEvents(
                    .init(
                        path: path,
                        headers: .init(lastEventID: "\(firstID)", accept: [.init(contentType: .textEventStream)])))
            }
            // check
            let page = try queued.ok.body.json
            #expect(page.status == .queued && page.finished == false)
            #expect(page.items.map(\.kind) == [.status])
            #expect(
                page.items.first?.message?.hasPrefix("Iteration 1 queued: 10 training and 0 test images, 2 labels.")
                    == true)
            let rest = try after.ok.body.json
            #expect(rest.items.map(\.status) == [.canceled])
            #expect(rest.status == .canceled && rest.finished)
            let text = String(decoding: try await stream.ok.body.textEventStream.bytes, as: UTF8.self)
            #expect(text.hasPrefix("id: \(firstID)\nevent: status\ndata: {"))
            #expect(text.components(separatedBy: "event: status").count == 3)
            let resumedText = String(decoding: try await resumed.ok.body.textEventStream.bytes, as: UTF8.self)
            #expect(!resumedText.contains("id: \(firstID)\n"))
            #expect(resumedText.components(separatedBy: "event: status").count == 2)
            #expect(resumedText.contains("\"status\":\"canceled\""))
        }
    }

    @Test func anotherUsersIterationIsNotFoundAndKeysNeedRead() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.trainableProject("secret", ownerID: alice.id)
            let iteration = try await harness.queuedIteration(in: secret, ownerID: alice.id)
            let uploader = try await harness.key([.ingest], for: secret, ownerID: alice.id)
            let path = Operations.IterationEvents.Input.Path(projectId: iteration.projectId, iterationId: iteration.id)
            let json = Operations.IterationEvents.Input.Headers(accept: [.init(contentType: .json)])
            // act
            let bobs = try await harness.call(as: bob.credentials) {
                try await $0.iterationEvents(.init(path: path, headers: json))
            }
            let keys = try await harness.call(as: uploader) {
                try await $0.iterationEvents(.init(path: path, headers: json))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.iterationEvents(.init(path: path, headers: json))
            }
            let hers = try await harness.call(as: alice.credentials) {
                try await $0.iterationEvents(.init(path: path, headers: json))
            }
            // check
            #expect(try bobs.notFound.body.json.error.message == "Iteration not found.")
            #expect(try keys.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            _ = try anonymous.unauthorized
            #expect(try hers.ok.body.json.items.count == 1)
        }
    }
}
