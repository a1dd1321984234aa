import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("API key handlers")
struct APIKeyHandlerTests {
    @Test func createReadListLimitRevoke() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("pets", ownerID: ada.id).requireID().apiString
            // act
            let created = try await harness.call(as: ada.credentials) {
                try await $0.createAPIKey(
                    .init(body: .json(.init(name: "uploader", projectId: pets, permissions: [.write, .read]))))
            }
            let key = try created.created.body.json
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getAPIKey(.init(path: .init(keyId: key.value1.id)))
            }
            let listed = try await harness.call(as: ada.credentials) { try await $0.listAPIKeys(.init()) }
            let limited = try await harness.call(as: ada.credentials) {
                try await $0.updateAPIKey(
                    .init(
                        path: .init(keyId: key.value1.id),
                        body: .json(.init(framesPerMinute: 30, dailyFrameQuota: 1000))))
            }
            let revoked = try await harness.call(as: ada.credentials) {
                try await $0.revokeAPIKey(.init(path: .init(keyId: key.value1.id)))
            }
            let gone = try await harness.call(as: ada.credentials) {
                try await $0.getAPIKey(.init(path: .init(keyId: key.value1.id)))
            }
            // check
            #expect(key.value2.key.hasPrefix(APIKeySecrets.marker))
            #expect(try read.ok.body.json.permissions == [.read, .write])
            #expect(try listed.ok.body.json.items.map(\.id) == [key.value1.id])
            #expect(try limited.ok.body.json.framesPerMinute == 30)
            #expect(try limited.ok.body.json.framesToday == 0)
            _ = try revoked.noContent
            #expect(try gone.notFound.body.json.error.code == "not_found")
        }
    }

    @Test func anotherUsersKeysAndProjectsAreNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.project("secret", ownerID: alice.id)
            let alicesKey = try await harness.call(as: alice.credentials) {
                try await $0.createAPIKey(
                    .init(
                        body: .json(.init(name: "k", projectId: try secret.requireID().apiString, permissions: [.read]))
                    ))
            }.created.body.json.value1.id
            // act
            let read = try await harness.call(as: bob.credentials) {
                try await $0.getAPIKey(.init(path: .init(keyId: alicesKey)))
            }
            let revoke = try await harness.call(as: bob.credentials) {
                try await $0.revokeAPIKey(.init(path: .init(keyId: alicesKey)))
            }
            let forHerProject = try await harness.call(as: bob.credentials) {
                try await $0.createAPIKey(
                    .init(
                        body: .json(.init(name: "k", projectId: try secret.requireID().apiString, permissions: [.read]))
                    ))
            }
            let bobsKeys = try await harness.call(as: bob.credentials) { try await $0.listAPIKeys(.init()) }
            // check
            _ = try read.notFound
            _ = try revoke.notFound
            #expect(try forHerProject.notFound.body.json.error.message == "Project not found.")
            #expect(try bobsKeys.ok.body.json.items.isEmpty)
        }
    }

    @Test func keysCannotManageKeys() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("pets", ownerID: ada.id)
            let key = try await harness.key([.read, .write, .ingest], for: pets, ownerID: ada.id)
            // act
            let list = try await harness.call(as: key) { try await $0.listAPIKeys(.init()) }
            let create = try await harness.call(as: key) {
                try await $0.createAPIKey(
                    .init(
                        body: .json(.init(name: "k", projectId: try pets.requireID().apiString, permissions: [.read]))))
            }
            let anonymous = try await harness.call(as: nil) { try await $0.listAPIKeys(.init()) }
            // check
            #expect(try list.forbidden.body.json.error.message.contains("API keys cannot do this"))
            _ = try create.forbidden
            _ = try anonymous.unauthorized
        }
    }
}
