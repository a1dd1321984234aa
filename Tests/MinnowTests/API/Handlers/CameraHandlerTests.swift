import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import OpenAPIRuntime
import Testing

@Suite("Camera handlers")
struct CameraHandlerTests {
    @Test func aCamerasFrameIsReadSearchedServedAndAddedToTheDataset() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            let project = try stripes.requireID().apiString
            let iteration = try await harness.trainedIteration(of: stripes)
            _ = try await harness.deployment("stripes", of: stripes)
            let (camera, cameraKey) = try await harness.camera(
                "porch", reading: "stripes", in: stripes, ownerID: ada.id)
            let frame = StripeImages.png(horizontal: true, seed: 500)
            let tflite = try #require(try await Blob.find(iteration.tfliteBlobID, on: harness.db)?.content)
            let expected = try LoadedModel(iteration: iteration, tflite: tflite, task: .classification).predict(
                frame, threshold: nil)
            // act
            let posted = try await harness.call(as: cameraKey) {
                try await $0.ingestFrame(
                    .init(path: .init(projectId: project, deviceId: camera), body: .png(HTTPBody(frame))))
            }
            let observation = try posted.created.body.json.id
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getObservation(.init(path: .init(projectId: project, observationId: observation)))
            }
            let served = try await harness.call(as: ada.credentials) {
                try await $0.getObservationFrame(.init(path: .init(projectId: project, observationId: observation)))
            }
            let found = try await harness.call(as: ada.credentials) {
                try await $0.searchSightings(
                    .init(path: .init(projectId: project), query: .init(label: expected.label)))
            }
            let badCursor = try await harness.call(as: ada.credentials) {
                try await $0.searchSightings(.init(path: .init(projectId: project), query: .init(cursor: "nonsense")))
            }
            let added = try await harness.call(as: ada.credentials) {
                try await $0.addObservationsToDataset(
                    .init(
                        path: .init(projectId: project),
                        body: .json(.init(observationIds: [observation], labelled: true))))
            }
            // check
            let created = try posted.created.body.json
            #expect(created.deviceId == camera)
            #expect(created.label == expected.label && created.scores.map(\.label) == expected.scores.map(\.label))
            #expect(created.frame == .stored && created.frameWidth == 16 && created.frameHeight == 16)
            let stored = try read.ok.body.json
            #expect(
                stored.id == observation && stored.label == created.label && stored.scores == created.scores
                    && stored.frame == .stored)
            #expect(stored.iterationNumber == 1)
            guard case .png(let body) = try served.ok.body else {
                Issue.record("the frame was not served as PNG"); return
            }
            #expect(Data(try await ArraySlice(collecting: body, upTo: 1 << 20)) == frame)
            let sightings = try found.ok.body.json.items
            #expect(
                sightings.map(\.observationId) == [observation] && sightings.first?.deviceName == "porch"
                    && sightings.first?.hasFrame == true)
            #expect(
                try badCursor.unprocessableContent.body.json.error.message.hasPrefix(
                    "cursor is not one this server gave"))
            let report = try added.ok.body.json
            #expect(report.added == 1 && report.skipped.isEmpty)
            let image = try #require(try await DatasetImage.find(UUID(uuidString: report.images[0]), on: harness.db))
            #expect(image.label == expected.label && image.width == 16 && image.source == .device)
        }
    }

    @Test func anotherUsersCameraAndObservationsAreNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let hers = try await harness.project("hers", ownerID: alice.id)
            let project = try hers.requireID().apiString
            _ = try await harness.trainedIteration(of: hers)
            _ = try await harness.deployment("hers", of: hers)
            let (camera, cameraKey) = try await harness.camera("porch", reading: "hers", in: hers, ownerID: alice.id)
            let frame = StripeImages.png(horizontal: false, seed: 501)
            let observation = try await harness.call(as: cameraKey) {
                try await $0.ingestFrame(
                    .init(path: .init(projectId: project, deviceId: camera), body: .png(HTTPBody(frame))))
            }.created.body.json.id
            // act
            let post = try await harness.call(as: bob.credentials) {
                try await $0.ingestFrame(
                    .init(path: .init(projectId: project, deviceId: camera), body: .png(HTTPBody(frame))))
            }
            let read = try await harness.call(as: bob.credentials) {
                try await $0.getObservation(.init(path: .init(projectId: project, observationId: observation)))
            }
            let served = try await harness.call(as: bob.credentials) {
                try await $0.getObservationFrame(.init(path: .init(projectId: project, observationId: observation)))
            }
            let search = try await harness.call(as: bob.credentials) {
                try await $0.searchSightings(.init(path: .init(projectId: project)))
            }
            let add = try await harness.call(as: bob.credentials) {
                try await $0.addObservationsToDataset(
                    .init(path: .init(projectId: project), body: .json(.init(observationIds: [observation]))))
            }
            // check
            #expect(try post.notFound.body.json.error.message == "Device not found.")
            #expect(try read.notFound.body.json.error.message == "Observation not found.")
            #expect(try served.notFound.body.json.error.message == "Frame not found.")
            #expect(try search.notFound.body.json.error.message == "Project not found.")
            #expect(try add.notFound.body.json.error.message == "Project not found.")
            let hersStill = try await harness.call(as: alice.credentials) {
                try await $0.searchSightings(.init(path: .init(projectId: project)))
            }
            #expect(try hersStill.ok.body.json.items.map(\.observationId) == [observation])
        }
    }

    @Test func keysPostOnlyTheirCamerasFramesAndSomeoneMustSignIn() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            let project = try stripes.requireID().apiString
            _ = try await harness.trainedIteration(of: stripes)
            _ = try await harness.deployment("stripes", of: stripes)
            let (porch, porchKey) = try await harness.camera("porch", reading: "stripes", in: stripes, ownerID: ada.id)
            let (garden, _) = try await harness.camera("garden", reading: "stripes", in: stripes, ownerID: ada.id)
            let reader = try await harness.key([.read], for: stripes, ownerID: ada.id)
            let frame = StripeImages.png(horizontal: true, seed: 502)
            // act
            let othersCamera = try await harness.call(as: porchKey) {
                try await $0.ingestFrame(
                    .init(path: .init(projectId: project, deviceId: garden), body: .png(HTTPBody(frame))))
            }
            let withoutIngest = try await harness.call(as: reader) {
                try await $0.ingestFrame(
                    .init(path: .init(projectId: project, deviceId: porch), body: .png(HTTPBody(frame))))
            }
            let cameraSearches = try await harness.call(as: porchKey) {
                try await $0.searchSightings(.init(path: .init(projectId: project)))
            }
            let readerSearches = try await harness.call(as: reader) {
                try await $0.searchSightings(.init(path: .init(projectId: project)))
            }
            let readerAdds = try await harness.call(as: reader) {
                try await $0.addObservationsToDataset(
                    .init(path: .init(projectId: project), body: .json(.init(limit: 10))))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.ingestFrame(
                    .init(path: .init(projectId: project, deviceId: porch), body: .png(HTTPBody(frame))))
            }
            let anonymousSearch = try await harness.call(as: nil) {
                try await $0.searchSightings(.init(path: .init(projectId: project)))
            }
            // check
            #expect(
                try othersCamera.forbidden.body.json.error.message
                    == "This key belongs to another camera; it may only post that camera's frames.")
            #expect(
                try withoutIngest.forbidden.body.json.error.message == "This API key lacks the \"ingest\" permission.")
            #expect(
                try cameraSearches.forbidden.body.json.error.message
                    == "This key belongs to a camera; it may only post that camera's frames.")
            #expect(try readerSearches.ok.body.json.items.isEmpty)
            #expect(try readerAdds.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(try anonymous.unauthorized.headers.wwwAuthenticate == "Bearer")
            _ = try anonymousSearch.unauthorized
        }
    }
}

extension HandlerHarness {
    /// A camera of `project` reading its frames with the deployment `deployment`, and the
    /// credentials of its own key (`ingest`, tied to the camera); returns (device id, key).
    func camera(
        _ name: String, reading deployment: String, in project: Project, ownerID: UUID
    ) async throws -> (String, Credentials) {
        let changes = DeviceRegistry.Changes(name: name, deployment: deployment)
        let device = try await DeviceRegistry(db: db).create(in: project, kind: .camera, changes).get()
        let id = try device.requireID().apiString
        let created = try await APIKeys(db: db).create(
            ownerID: ownerID, name: "\(name) camera", projectID: try project.requireID().uuidString,
            permissions: [.ingest], expiresAt: nil, deviceID: id
        ).get()
        return (id, Credentials(bearer: created.secret))
    }
}
