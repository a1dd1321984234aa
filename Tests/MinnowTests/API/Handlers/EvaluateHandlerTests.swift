import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import OpenAPIRuntime
import Testing

@Suite("Evaluate handlers")
struct EvaluateHandlerTests {
    @Test func queuesAnEvaluationOnAnotherProjectOrAZip() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("pets", ownerID: ada.id)
            let field = try await harness.project("field", ownerID: ada.id).requireID().apiString
            let iteration = try await harness.queuedIteration(in: pets, ownerID: ada.id)
            let path = Operations.EvaluateIteration.Input.Path(
                projectId: iteration.projectId, iterationId: iteration.id)
            // act
            let untrained = try await harness.call(as: ada.credentials) {
                try await $0.evaluateIteration(.init(path: path, body: .json(.init(projectId: field))))
            }
            try await harness.markTrained(iteration.id)
            let onProject = try await harness.call(as: ada.credentials) {
                try await $0.evaluateIteration(.init(path: path, body: .json(.init(projectId: field, split: .test))))
            }
            let onZip = try await harness.call(as: ada.credentials) {
                try await $0.evaluateIteration(
                    .init(
                        path: path,
                        body: .applicationZip(
                            HTTPBody(HandlerHarness.archive([("cat/a.png", TestImages.png(seed: 1))])))))
            }
            let job = try onProject.accepted.body.json
            let read = try await harness.call(as: ada.credentials) {
                try await $0.getJob(.init(path: .init(jobId: job.id)))
            }
            let quickUntrained = try await harness.call(as: ada.credentials) {
                try await $0.quickTestIteration(
                    .init(
                        path: .init(projectId: iteration.projectId, iterationId: UUID().apiString),
                        body: .png(HTTPBody(TestImages.png(seed: 1)))))
            }
            // check
            #expect(
                try untrained.conflict.body.json.error.message
                    == "Iteration 1 is queued; only a trained iteration can be evaluated.")
            #expect(
                job.kind == .evaluate && job.status == .queued && job.iterationId == iteration.id
                    && job.projectId == iteration.projectId)
            let stored = try #require(try await Job.find(UUID(uuidString: job.id), on: harness.db))
            #expect(
                try JSONText.decode(JobPayload.Evaluate.self, from: try #require(stored.payload)).projectId?.apiString
                    == field)
            let zipJob = try #require(
                try await Job.find(UUID(uuidString: try onZip.accepted.body.json.id), on: harness.db))
            #expect(zipJob.inputBlobID != nil && zipJob.payload == nil)
            #expect(try read.ok.body.json.kind == .evaluate)
            _ = try quickUntrained.notFound
        }
    }

    @Test func aQuickTestAnswersWithTheTrainedModel() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            let iteration = try await harness.trainedIteration(of: stripes)
            let image = StripeImages.png(horizontal: false, seed: 31)
            let tflite = try #require(try await Blob.find(iteration.tfliteBlobID, on: harness.db)?.content)
            let expected = try LoadedModel(iteration: iteration, tflite: tflite, task: .classification).predict(
                image, threshold: nil)
            let path = Operations.QuickTestIteration.Input.Path(
                projectId: try stripes.requireID().apiString, iterationId: try iteration.requireID().apiString)
            // act
            let answer = try await harness.call(as: ada.credentials) {
                try await $0.quickTestIteration(.init(path: path, body: .png(HTTPBody(image))))
            }
            let unreadable = try await harness.call(as: ada.credentials) {
                try await $0.quickTestIteration(.init(path: path, body: .png(HTTPBody(Data("nope".utf8)))))
            }
            // check
            #expect(try answer.ok.body.json == Components.Schemas.ImagePrediction(expected))
            #expect(Set(expected.scores.map(\.label)) == Set(HandlerHarness.stripeLabels))
            #expect(
                try unreadable.unprocessableContent.body.json.error.message
                    == "The file is not a readable JPEG or PNG image.")
        }
    }

    @Test func quickTestNeedsATrainedIteration() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let pets = try await harness.trainableProject("pets", ownerID: ada.id)
            let iteration = try await harness.queuedIteration(in: pets, ownerID: ada.id)
            // act
            let answer = try await harness.call(as: ada.credentials) {
                try await $0.quickTestIteration(
                    .init(
                        path: .init(projectId: iteration.projectId, iterationId: iteration.id),
                        body: .png(HTTPBody(TestImages.png(seed: 1)))))
            }
            // check
            #expect(
                try answer.conflict.body.json.error.message
                    == "Iteration 1 is queued; only a trained iteration can be tested.")
        }
    }

    @Test func anotherUsersIterationOrProjectIsNotFoundAndKeysNeedPermissions() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let alice = try await harness.person("alice")
            let bob = try await harness.person("bob")
            let secret = try await harness.trainableProject("secret", ownerID: alice.id)
            let iteration = try await harness.queuedIteration(in: secret, ownerID: alice.id)
            try await harness.markTrained(iteration.id)
            let bobsOwn = try await harness.trainableProject("bobs", ownerID: bob.id)
            let bobsIteration = try await harness.queuedIteration(in: bobsOwn, ownerID: bob.id)
            try await harness.markTrained(bobsIteration.id)
            let reader = try await harness.key([.read], for: secret, ownerID: alice.id)
            let uploader = try await harness.key([.ingest], for: secret, ownerID: alice.id)
            let path = Operations.EvaluateIteration.Input.Path(
                projectId: iteration.projectId, iterationId: iteration.id)
            let quick = Operations.QuickTestIteration.Input.Path(
                projectId: iteration.projectId, iterationId: iteration.id)
            let png = TestImages.png(seed: 1)
            // act
            let bobEvaluates = try await harness.call(as: bob.credentials) {
                try await $0.evaluateIteration(
                    .init(path: path, body: .json(.init(projectId: bobsIteration.projectId))))
            }
            let onHerProject = try await harness.call(as: bob.credentials) {
                try await $0.evaluateIteration(
                    .init(
                        path: .init(projectId: bobsIteration.projectId, iterationId: bobsIteration.id),
                        body: .json(.init(projectId: iteration.projectId))))
            }
            let bobTests = try await harness.call(as: bob.credentials) {
                try await $0.quickTestIteration(.init(path: quick, body: .png(HTTPBody(png))))
            }
            let readerEvaluates = try await harness.call(as: reader) {
                try await $0.evaluateIteration(.init(path: path, body: .json(.init(projectId: iteration.projectId))))
            }
            let uploaderTests = try await harness.call(as: uploader) {
                try await $0.quickTestIteration(.init(path: quick, body: .png(HTTPBody(png))))
            }
            let anonymous = try await harness.call(as: nil) {
                try await $0.quickTestIteration(.init(path: quick, body: .png(HTTPBody(png))))
            }
            // check
            #expect(try bobEvaluates.notFound.body.json.error.message == "Iteration not found.")
            #expect(try onHerProject.notFound.body.json.error.message == "Project not found.")
            #expect(try bobTests.notFound.body.json.error.message == "Iteration not found.")
            #expect(
                try readerEvaluates.forbidden.body.json.error.message == "This API key lacks the \"write\" permission.")
            #expect(
                try uploaderTests.forbidden.body.json.error.message == "This API key lacks the \"read\" permission.")
            _ = try anonymous.unauthorized
        }
    }
}
