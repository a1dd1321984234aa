import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Label handlers")
struct LabelHandlerTests {
    @Test func listRenameMergeRelabelAndDelete() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("pets", ownerID: ada.id)
            let cats = try await harness.images([1, 2], label: "cat", split: .train, in: pets)
            try await harness.images([3], label: "kitten", split: .test, in: pets)
            let dogs = try await harness.images([4, 5], label: "dog", in: pets)
            let id = try pets.requireID().apiString
            // act
            let listed = try await harness.call(as: ada.credentials) {
                try await $0.listLabels(.init(path: .init(projectId: id)))
            }
            let merged = try await harness.call(as: ada.credentials) {
                try await $0.renameLabel(
                    .init(path: .init(projectId: id, label: "kitten"), body: .json(.init(name: "cat"))))
            }
            let relabelled = try await harness.call(as: ada.credentials) {
                try await $0.updateImages(
                    .init(
                        path: .init(projectId: id),
                        body: .json(.init(imageIds: [dogs[0]], action: .relabel, label: "cat"))))
            }
            let unlabelled = try await harness.call(as: ada.credentials) {
                try await $0.deleteLabel(
                    .init(path: .init(projectId: id, label: "dog"), query: .init(images: .unlabel)))
            }
            let missing = try await harness.call(as: ada.credentials) {
                try await $0.renameLabel(
                    .init(path: .init(projectId: id, label: "bird"), body: .json(.init(name: "cat"))))
            }
            let after = try await harness.call(as: ada.credentials) {
                try await $0.listLabels(.init(path: .init(projectId: id)))
            }
            // check
            let before = try listed.ok.body.json.items
            #expect(before.map(\.label) == ["cat", "dog", "kitten"])
            #expect(before.first { $0.label == "cat" }.map { [$0.train, $0.test, $0.total] } == [2, 0, 2])
            #expect(before.first { $0.label == "kitten" }.map { [$0.train, $0.test, $0.total] } == [0, 1, 1])
            #expect(try merged.ok.body.json.changed == 1)
            #expect(try relabelled.ok.body.json.changed == 1)
            #expect(try unlabelled.ok.body.json.changed == 1)
            #expect(try missing.notFound.body.json.error.code == "not_found")
            let labels = try after.ok.body.json.items
            #expect(labels.map(\.label) == ["cat"])
            #expect(labels.first?.total == cats.count + 2)
        }
    }

    @Test func anotherUsersProjectIsNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.project("secret", ownerID: alice.id)
            let ids = try await harness.images([1], label: "cat", in: secret)
            let id = try secret.requireID().apiString
            // act
            let list = try await harness.call(as: bob.credentials) {
                try await $0.listLabels(.init(path: .init(projectId: id)))
            }
            let rename = try await harness.call(as: bob.credentials) {
                try await $0.renameLabel(
                    .init(path: .init(projectId: id, label: "cat"), body: .json(.init(name: "dog"))))
            }
            let delete = try await harness.call(as: bob.credentials) {
                try await $0.deleteLabel(.init(path: .init(projectId: id, label: "cat"), query: .init(images: .delete)))
            }
            let batch = try await harness.call(as: bob.credentials) {
                try await $0.updateImages(
                    .init(path: .init(projectId: id), body: .json(.init(imageIds: ids, action: .delete))))
            }
            let hers = try await harness.call(as: alice.credentials) {
                try await $0.listLabels(.init(path: .init(projectId: id)))
            }
            // check
            #expect(try list.notFound.body.json.error.message == "Project not found.")
            #expect(try rename.notFound.body.json.error.message == "Project not found.")
            #expect(try delete.notFound.body.json.error.message == "Project not found.")
            #expect(try batch.notFound.body.json.error.message == "Project not found.")
            #expect(try hers.ok.body.json.items.map(\.total) == [1])
        }
    }

    @Test func keysNeedWriteToChangeAndCredentialsToRead() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("pets", ownerID: ada.id)
            try await harness.images([1], label: "cat", in: pets)
            let reader = try await harness.key([.read], for: pets, ownerID: ada.id)
            let id = try pets.requireID().apiString
            // act
            let read = try await harness.call(as: reader) { try await $0.listLabels(.init(path: .init(projectId: id))) }
            let rename = try await harness.call(as: reader) {
                try await $0.renameLabel(
                    .init(path: .init(projectId: id, label: "cat"), body: .json(.init(name: "dog"))))
            }
            let delete = try await harness.call(as: reader) {
                try await $0.deleteLabel(.init(path: .init(projectId: id, label: "cat"), query: .init(images: .delete)))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.listLabels(.init(path: .init(projectId: id)))
            }
            // check
            #expect(try read.ok.body.json.items.map(\.label) == ["cat"])
            #expect(try rename.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(try delete.forbidden.body.json.error.code == "forbidden")
            #expect(try anonymous.unauthorized.headers.wwwAuthenticate == "Bearer")
        }
    }
}
