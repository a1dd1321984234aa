import APITypes
import Foundation
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import OpenAPIRuntime
import Testing

@Suite("Prediction handler")
struct PredictHandlerTests {
    @Test func theRightKeyGetsTheModelsAnswer() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            let iteration = try await harness.trainedIteration(of: stripes)
            let key = try await harness.deployment("stripes-v1", of: stripes)
            let image = StripeImages.png(horizontal: true, seed: 77)
            let tflite = try #require(try await Blob.find(iteration.tfliteBlobID, on: harness.db)?.content)
            let expected = try LoadedModel(iteration: iteration, tflite: tflite, task: .classification).predict(
                image, threshold: nil)
            // act: no bearer credentials at all, only the deployment's key
            let answer = try await harness.call(as: nil) {
                try await $0.predict(
                    path: .init(deployment: "stripes-v1"), headers: .init(predictionKey: key),
                    body: .png(HTTPBody(image)))
            }
            let unreadable = try await harness.call(as: nil) {
                try await $0.predict(
                    path: .init(deployment: "stripes-v1"), headers: .init(predictionKey: key),
                    body: .png(HTTPBody(Data("nope".utf8))))
            }
            // check
            let body = try answer.ok.body.json
            #expect(body.deployment == "stripes-v1" && body.iteration == 1)
            #expect(body.predictions == [Components.Schemas.ImagePrediction(expected)])
            #expect(Set(expected.scores.map(\.label)) == Set(HandlerHarness.stripeLabels))
            #expect(
                try unreadable.unprocessableContent.body.json.error.message
                    == "the image is not a readable JPEG or PNG image.")
        }
    }

    @Test func aWrongKeyIsUnauthorizedAndAnUnknownNameNotFound() async throws {
        try await HandlerHarness.with { harness in
            // setup
            let ada = try await harness.person("ada")
            let stripes = try await harness.project("stripes", ownerID: ada.id)
            _ = try await harness.trainedIteration(of: stripes)
            let key = try await harness.deployment("stripes-v1", of: stripes)
            let otherKey = try await harness.deployment("stripes-v2", of: stripes)
            let image = StripeImages.png(horizontal: false, seed: 78)
            // act
            let wrong = try await harness.call(as: nil) {
                try await $0.predict(
                    path: .init(deployment: "stripes-v1"), headers: .init(predictionKey: key + "x"),
                    body: .png(HTTPBody(image)))
            }
            let anotherDeployments = try await harness.call(as: nil) {
                try await $0.predict(
                    path: .init(deployment: "stripes-v1"), headers: .init(predictionKey: otherKey),
                    body: .png(HTTPBody(image)))
            }
            let personsToken = try await harness.call(as: ada.credentials) {
                try await $0.predict(
                    path: .init(deployment: "stripes-v1"), headers: .init(predictionKey: ""),
                    body: .png(HTTPBody(image)))
            }
            let unknown = try await harness.call(as: nil) {
                try await $0.predict(
                    path: .init(deployment: "nothing-here"), headers: .init(predictionKey: key),
                    body: .png(HTTPBody(image)))
            }
            let right = try await harness.call(as: nil) {
                try await $0.predict(
                    path: .init(deployment: "stripes-v2"), headers: .init(predictionKey: otherKey),
                    body: .png(HTTPBody(image)))
            }
            // check
            #expect(
                try wrong.unauthorized.body.json.error.message == "The Prediction-Key is not this deployment's key.")
            #expect(try anotherDeployments.unauthorized.body.json.error.code == "unauthorized")
            _ = try personsToken.unauthorized
            #expect(try unknown.notFound.body.json.error.message == "Deployment not found.")
            #expect(try right.ok.body.json.deployment == "stripes-v2")
        }
    }
}
