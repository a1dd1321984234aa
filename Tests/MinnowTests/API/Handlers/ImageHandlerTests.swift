import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import OpenAPIRuntime
import Testing

@Suite("Image handlers")
struct ImageHandlerTests {
    typealias Part = Operations.UploadImages.Input.Body.MultipartFormPayload

    static func file(_ name: String, _ content: Data) -> Part {
        .files(.init(payload: .init(body: HTTPBody(content)), filename: name))
    }

    @Test func uploadListReadChangeAndDelete() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let id = try await harness.project("pets", ownerID: ada.id).requireID().apiString
            let png = TestImages.png(seed: 1)
            let parts: [Part] = [
                .label(.init(payload: .init(body: HTTPBody("cat")))), Self.file("a.png", png),
                Self.file("b.jpg", TestImages.jpeg(seed: 2)), Self.file("a-again.png", png),
                Self.file("notes.txt", Data("hello".utf8)),
            ]
            // act
            let uploaded = try await harness.call(as: ada.credentials) {
                try await $0.uploadImages(
                    .init(path: .init(projectId: id), query: .init(split: .train), body: .multipartForm(.init(parts))))
            }
            let report = try uploaded.ok.body.json
            let imageID = try #require(report.files.first?.imageId)
            let listed = try await harness.call(as: ada.credentials) {
                try await $0.listImages(.init(path: .init(projectId: id), query: .init(sort: .oldest)))
            }
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let content = try await harness.call(as: ada.credentials) {
                try await $0.getImageContent(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let thumbnail = try await harness.call(as: ada.credentials) {
                try await $0.getImageThumbnail(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let changed = try await harness.call(as: ada.credentials) {
                try await $0.updateImage(
                    .init(
                        path: .init(projectId: id, imageId: imageID), body: .json(.init(label: "kitten", split: .test)))
                )
            }
            let badLabel = try await harness.call(as: ada.credentials) {
                try await $0.updateImage(
                    .init(path: .init(projectId: id, imageId: imageID), body: .json(.init(label: "a/b"))))
            }
            let deleted = try await harness.call(as: ada.credentials) {
                try await $0.deleteImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let gone = try await harness.call(as: ada.credentials) {
                try await $0.getImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let left = try await harness.call(as: ada.credentials) {
                try await $0.listImages(.init(path: .init(projectId: id)))
            }
            // check
            #expect(report.accepted == 2 && report.duplicates == 1 && report.rejected == 1)
            #expect(report.files.map(\.fileName) == ["a.png", "b.jpg", "a-again.png", "notes.txt"])
            let images = try listed.ok.body.json
            #expect(images.metadata.total == 2)
            #expect(images.items.map(\.fileName) == ["a.png", "b.jpg"])
            #expect(images.items.map(\.label) == ["cat", "cat"])
            #expect(images.items.map(\.split) == [.train, .train])
            #expect(try read.ok.body.json.format == .png)
            #expect(try read.ok.body.json.width == 32)
            #expect(try await content.ok.body.png.bytes == png)
            #expect(try await thumbnail.ok.body.jpeg.bytes.prefix(2) == Data([0xFF, 0xD8]))
            #expect(try changed.ok.body.json.label == "kitten")
            #expect(try changed.ok.body.json.split == .test)
            #expect(try changed.ok.body.json.splitAutomatic == false)
            _ = try badLabel.unprocessableContent
            _ = try deleted.noContent
            #expect(try gone.notFound.body.json.error.message == "Image not found.")
            #expect(try left.ok.body.json.items.map(\.fileName) == ["b.jpg"])
        }
    }

    @Test func anotherUsersImagesAreNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.project("secret", ownerID: alice.id)
            let imageID = try #require(try await harness.images([1], label: "cat", in: secret).first)
            let id = try secret.requireID().apiString
            // act
            let list = try await harness.call(as: bob.credentials) {
                try await $0.listImages(.init(path: .init(projectId: id)))
            }
            let read = try await harness.call(as: bob.credentials) {
                try await $0.getImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let content = try await harness.call(as: bob.credentials) {
                try await $0.getImageContent(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let change = try await harness.call(as: bob.credentials) {
                try await $0.updateImage(
                    .init(path: .init(projectId: id, imageId: imageID), body: .json(.init(clearLabel: true))))
            }
            let delete = try await harness.call(as: bob.credentials) {
                try await $0.deleteImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let upload = try await harness.call(as: bob.credentials) {
                try await $0.uploadImages(
                    .init(
                        path: .init(projectId: id),
                        body: .multipartForm(.init([Self.file("x.png", TestImages.png(seed: 9))]))))
            }
            let hers = try await harness.call(as: alice.credentials) {
                try await $0.getImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            // check
            #expect(try list.notFound.body.json.error.message == "Project not found.")
            #expect(try read.notFound.body.json.error.message == "Image not found.")
            _ = try content.notFound
            _ = try change.notFound
            _ = try delete.notFound
            _ = try upload.notFound
            #expect(try hers.ok.body.json.label == "cat")
        }
    }

    @Test func keysNeedTheirPermissionAndCallersCredentials() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.project("pets", ownerID: ada.id)
            let imageID = try #require(try await harness.images([1], label: "cat", in: pets).first)
            let reader = try await harness.key([.read], for: pets, ownerID: ada.id)
            let uploader = try await harness.key([.ingest], for: pets, ownerID: ada.id)
            let id = try pets.requireID().apiString
            // act
            let read = try await harness.call(as: reader) {
                try await $0.getImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let upload = try await harness.call(as: reader) {
                try await $0.uploadImages(
                    .init(
                        path: .init(projectId: id),
                        body: .multipartForm(.init([Self.file("x.png", TestImages.png(seed: 9))]))))
            }
            let delete = try await harness.call(as: uploader) {
                try await $0.deleteImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            let list = try await harness.call(as: uploader) {
                try await $0.listImages(.init(path: .init(projectId: id)))
            }
            let ingested = try await harness.call(as: uploader) {
                try await $0.uploadImages(
                    .init(
                        path: .init(projectId: id),
                        body: .multipartForm(.init([Self.file("x.png", TestImages.png(seed: 9))]))))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.getImage(.init(path: .init(projectId: id, imageId: imageID)))
            }
            // check
            #expect(try read.ok.body.json.id == imageID)
            #expect(try upload.forbidden.body.json.error.message == "This API key lacks the \"ingest\" permission.")
            #expect(try delete.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(try list.forbidden.body.json.error.code == "forbidden")
            #expect(try ingested.ok.body.json.accepted == 1)
            #expect(try anonymous.unauthorized.body.json.error.code == "unauthorized")
        }
    }
}
