import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Project handlers")
struct ProjectHandlerTests {
    @Test func createReadListRenameDelete() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            // act
            let created = try await harness.call(as: ada.credentials) {
                try await $0.createProject(
                    .init(body: .json(.init(name: " Birds ", description: "feeder cam", task: .detection))))
            }
            let id = try created.created.body.json.id
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getProject(.init(path: .init(projectId: id)))
            }
            let listed = try await harness.call(as: ada.credentials) { try await $0.listProjects(.init()) }
            let renamed = try await harness.call(as: ada.credentials) {
                try await $0.updateProject(.init(path: .init(projectId: id), body: .json(.init(name: "Feeder birds"))))
            }
            let deleted = try await harness.call(as: ada.credentials) {
                try await $0.deleteProject(.init(path: .init(projectId: id)))
            }
            let gone = try await harness.call(as: ada.credentials) {
                try await $0.getProject(.init(path: .init(projectId: id)))
            }
            // check
            #expect(try read.ok.body.json.name == "Birds")
            #expect(try read.ok.body.json.task == .detection)
            #expect(try listed.ok.body.json.items.map(\.id) == [id])
            #expect(try renamed.ok.body.json.name == "Feeder birds")
            #expect(try renamed.ok.body.json.description == "feeder cam")
            _ = try deleted.noContent
            #expect(try gone.notFound.body.json.error.code == "not_found")
        }
    }

    @Test func anotherUsersProjectIsNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.project("secret", ownerID: alice.id).requireID().apiString
            let missing = UUID().apiString
            for id in [secret, missing] {
                // act
                let read = try await harness.call(as: bob.credentials) {
                    try await $0.getProject(.init(path: .init(projectId: id)))
                }
                let renamed = try await harness.call(as: bob.credentials) {
                    try await $0.updateProject(.init(path: .init(projectId: id), body: .json(.init(name: "mine"))))
                }
                let deleted = try await harness.call(as: bob.credentials) {
                    try await $0.deleteProject(.init(path: .init(projectId: id)))
                }
                // check
                #expect(try read.notFound.body.json.error.message == "Project not found.")
                #expect(try renamed.notFound.body.json.error.message == "Project not found.")
                #expect(try deleted.notFound.body.json.error.message == "Project not found.")
            }
            let bobsProjects = try await harness.call(as: bob.credentials) { try await $0.listProjects(.init()) }
            #expect(try bobsProjects.ok.body.json.items.isEmpty)
            let stillThere = try await harness.call(as: alice.credentials) {
                try await $0.getProject(.init(path: .init(projectId: secret)))
            }
            #expect(try stillThere.ok.body.json.name == "secret")
        }
    }

    @Test func withoutCredentialsIsUnauthorized() async throws {
        try await HandlerHarness.with { harness in
            // act
            let none = try await harness.call(as: nil) { try await $0.listProjects(.init()) }
            let garbage = try await harness.call(as: Credentials(bearer: "not.a.token")) {
                try await $0.listProjects(.init())
            }
            // check
            #expect(try none.unauthorized.headers.wwwAuthenticate == "Bearer")
            #expect(try none.unauthorized.body.json.error.code == "unauthorized")
            #expect(try garbage.unauthorized.body.json.error.message.contains("sign in again"))
        }
    }

    @Test func apiKeysSeeOnlyTheirProjectAndManageNone() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("pets", ownerID: ada.id)
            let other = try await harness.project("other", ownerID: ada.id).requireID().apiString
            let reader = try await harness.key([.read], for: pets, ownerID: ada.id)
            let uploader = try await harness.key([.write], for: pets, ownerID: ada.id)
            let id = try pets.requireID().apiString
            // act
            let listed = try await harness.call(as: reader) { try await $0.listProjects(.init()) }
            let own = try await harness.call(as: reader) { try await $0.getProject(.init(path: .init(projectId: id))) }
            let notItsOwn = try await harness.call(as: reader) {
                try await $0.getProject(.init(path: .init(projectId: other)))
            }
            let withoutRead = try await harness.call(as: uploader) { try await $0.listProjects(.init()) }
            let create = try await harness.call(as: reader) {
                try await $0.createProject(.init(body: .json(.init(name: "new", task: .classification))))
            }
            let delete = try await harness.call(as: reader) {
                try await $0.deleteProject(.init(path: .init(projectId: id)))
            }
            // check
            #expect(try listed.ok.body.json.items.map(\.name) == ["pets"])
            #expect(try own.ok.body.json.name == "pets")
            _ = try notItsOwn.notFound
            #expect(try withoutRead.forbidden.body.json.error.message.contains("\"read\""))
            #expect(try create.forbidden.body.json.error.code == "forbidden")
            #expect(try delete.forbidden.body.json.error.code == "forbidden")
        }
    }
}
