import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Artifact handlers")
struct ArtifactHandlerTests {
    @Test func servesATrainedIterationsFiles() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("Pet Cam", ownerID: ada.id)
            let iteration = try await harness.queuedIteration(in: pets, ownerID: ada.id)
            let path = { (kind: Operations.GetIterationArtifact.Input.Path.KindPayload) in
                Operations.GetIterationArtifact.Input.Path(
                    projectId: iteration.projectId, iterationId: iteration.id, kind: kind)
            }
            // act
            let untrained = try await harness.call(as: ada.credentials) {
                try await $0.getIterationArtifact(.init(path: path(.tflite)))
            }
            try await harness.markTrained(
                iteration.id, checkpoint: Data("weights".utf8), tflite: Data("flatbuffer".utf8))
            let checkpoint = try await harness.call(as: ada.credentials) {
                try await $0.getIterationArtifact(.init(path: path(.checkpoint)))
            }
            let tflite = try await harness.call(as: ada.credentials) {
                try await $0.getIterationArtifact(.init(path: path(.tflite)))
            }
            let unknownBoard = try await harness.call(as: ada.credentials) {
                try await $0.getIterationArtifact(.init(path: path(.arduinoLibrary), query: .init(board: "toaster")))
            }
            // check
            #expect(
                try untrained.conflict.body.json.error.message
                    == "Iteration 1 is queued; artifacts exist once it has trained.")
            #expect(try checkpoint.ok.headers.contentDisposition == "attachment; filename=\"pet-cam-iteration-1.mnnw\"")
            #expect(try await checkpoint.ok.body.binary.bytes == Data("weights".utf8))
            #expect(try tflite.ok.headers.contentDisposition == "attachment; filename=\"pet-cam-iteration-1.tflite\"")
            #expect(try await tflite.ok.body.binary.bytes == Data("flatbuffer".utf8))
            #expect(
                try unknownBoard.badRequest.body.json.error.message.hasPrefix(
                    "Unknown board \"toaster\"; choose one of: nano33ble"))
        }
    }

    @Test func aTrainedModelsCardAndArduinoLibrary() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            let iteration = try await harness.trainedIteration(of: stripes)
            let stored = try JSONText.decode(StoredModelCard.self, from: try #require(iteration.modelCard))
            let path = { (kind: Operations.GetIterationArtifact.Input.Path.KindPayload) in
                Operations.GetIterationArtifact.Input.Path(
                    projectId: try stripes.requireID().apiString, iterationId: try iteration.requireID().apiString,
                    kind: kind)
            }
            // act
            let card = try await harness.call(as: ada.credentials) {
                try await $0.getIterationArtifact(.init(path: try path(.modelCard)))
            }
            let arduino = try await harness.call(as: ada.credentials) {
                try await $0.getIterationArtifact(.init(path: try path(.arduinoLibrary), query: .init(board: "pico")))
            }
            // check
            #expect(try card.ok.headers.contentDisposition == "inline")
            #expect(try card.ok.body.json == Components.Schemas.ModelCard(stored))
            #expect(
                try arduino.ok.headers.contentDisposition
                    == "attachment; filename=\"stripes-iteration-1-arduino-pico.zip\"")
            let zip = try await arduino.ok.body.applicationZip.bytes
            #expect(zip.prefix(2) == Data("PK".utf8))
            #expect(String(decoding: zip, as: UTF8.self).contains("minnow_stripes"))
        }
    }

    @Test func anotherUsersArtifactsAreNotFoundAndKeysNeedRead() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.trainableProject("secret", ownerID: alice.id)
            let iteration = try await harness.queuedIteration(in: secret, ownerID: alice.id)
            try await harness.markTrained(iteration.id)
            let uploader = try await harness.key([.ingest], for: secret, ownerID: alice.id)
            let reader = try await harness.key([.read], for: secret, ownerID: alice.id)
            let input = Operations.GetIterationArtifact.Input(
                path: .init(projectId: iteration.projectId, iterationId: iteration.id, kind: .checkpoint))
            // act
            let bobs = try await harness.call(as: bob.credentials) { try await $0.getIterationArtifact(input) }
            let uploaders = try await harness.call(as: uploader) { try await $0.getIterationArtifact(input) }
            let readers = try await harness.call(as: reader) { try await $0.getIterationArtifact(input) }
            let anonymous = try await harness.call(as: nil) { try await $0.getIterationArtifact(input) }
            // check
            #expect(try bobs.notFound.body.json.error.message == "Iteration not found.")
            #expect(try uploaders.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            #expect(try await readers.ok.body.binary.bytes == Data("checkpoint".utf8))
            _ = try anonymous.unauthorized
        }
    }
}
