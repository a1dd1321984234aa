import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Iteration handlers")
struct IterationHandlerTests {
    @Test func startListReadCancelAndDelete() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("pets", ownerID: ada.id)
            let id = try pets.requireID().apiString
            // act
            let started = try await harness.call(as: ada.credentials) {
                try await $0.createIteration(
                    .init(path: .init(projectId: id), body: .json(.init(note: "first", epochs: 3))))
            }
            let iteration = try started.accepted.body.json
            let listed = try await harness.call(as: ada.credentials) {
                try await $0.listIterations(.init(path: .init(projectId: id)))
            }
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let canceled = try await harness.call(as: ada.credentials) {
                try await $0.cancelIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let canceledTwice = try await harness.call(as: ada.credentials) {
                try await $0.cancelIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let deleted = try await harness.call(as: ada.credentials) {
                try await $0.deleteIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let gone = try await harness.call(as: ada.credentials) {
                try await $0.getIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            // check
            #expect(iteration.number == 1 && iteration.note == "first" && iteration.status == .queued)
            #expect(iteration.configuration.epochs == 3)
            #expect(
                iteration.dataset.images == 10 && iteration.dataset.train == 10
                    && iteration.dataset.labels == ["cat", "dog"])
            #expect(iteration.jobId != nil)
            #expect(try listed.ok.body.json.items.map(\.id) == [iteration.id])
            #expect(try listed.ok.body.json.metadata.total == 1)
            #expect(try read.ok.body.json.note == "first")
            #expect(try canceled.ok.body.json.status == .canceled)
            _ = try canceledTwice.conflict
            _ = try deleted.noContent
            #expect(try gone.notFound.body.json.error.message == "Iteration not found.")
        }
    }

    @Test func aDatasetThatCannotTrainIsRefused() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("pets", ownerID: ada.id)
            try await harness.images([1, 2], label: "cat", in: pets)
            let id = try pets.requireID().apiString
            // act
            let refused = try await harness.call(as: ada.credentials) {
                try await $0.createIteration(.init(path: .init(projectId: id)))
            }
            let none = try await harness.call(as: ada.credentials) {
                try await $0.listIterations(.init(path: .init(projectId: id)))
            }
            // check
            #expect(try refused.unprocessableContent.body.json.error.message.hasPrefix("The dataset cannot train yet:"))
            #expect(try none.ok.body.json.items.isEmpty)
        }
    }

    @Test func anotherUsersIterationsAreNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.trainableProject("secret", ownerID: alice.id)
            let iteration = try await harness.queuedIteration(in: secret, ownerID: alice.id)
            let id = iteration.projectId
            // act
            let create = try await harness.call(as: bob.credentials) {
                try await $0.createIteration(.init(path: .init(projectId: id)))
            }
            let list = try await harness.call(as: bob.credentials) {
                try await $0.listIterations(.init(path: .init(projectId: id)))
            }
            let read = try await harness.call(as: bob.credentials) {
                try await $0.getIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let cancel = try await harness.call(as: bob.credentials) {
                try await $0.cancelIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let delete = try await harness.call(as: bob.credentials) {
                try await $0.deleteIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let hers = try await harness.call(as: alice.credentials) {
                try await $0.getIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            // check
            #expect(try create.notFound.body.json.error.message == "Project not found.")
            #expect(try list.notFound.body.json.error.message == "Project not found.")
            #expect(try read.notFound.body.json.error.message == "Iteration not found.")
            _ = try cancel.notFound
            _ = try delete.notFound
            #expect(try hers.ok.body.json.status == .queued)
        }
    }

    @Test func keysNeedWriteToTrainAndCredentialsToRead() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("pets", ownerID: ada.id)
            let iteration = try await harness.queuedIteration(in: pets, ownerID: ada.id)
            let reader = try await harness.key([.read], for: pets, ownerID: ada.id)
            let id = iteration.projectId
            // act
            let read = try await harness.call(as: reader) {
                try await $0.getIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let create = try await harness.call(as: reader) {
                try await $0.createIteration(.init(path: .init(projectId: id)))
            }
            let cancel = try await harness.call(as: reader) {
                try await $0.cancelIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let delete = try await harness.call(as: reader) {
                try await $0.deleteIteration(.init(path: .init(projectId: id, iterationId: iteration.id)))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.listIterations(.init(path: .init(projectId: id)))
            }
            // check
            #expect(try read.ok.body.json.id == iteration.id)
            #expect(try create.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            _ = try cancel.forbidden
            _ = try delete.forbidden
            _ = try anonymous.unauthorized
        }
    }
}
