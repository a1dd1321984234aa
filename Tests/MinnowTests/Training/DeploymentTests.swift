// Publishing a trained iteration and calling it: the prediction key is shown once and is the
// only way in; answers equal TensorFlow Lite Micro running the downloaded .tflite; a name
// can be re-pointed without changing clients; artifacts download in every format.
import Fluent
import Foundation
import Imaging
import Int8Inference
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Deployments and predictions")
struct DeploymentTests {
    /// A project with one trained iteration; returns (token, project, iteration id).
    static func trained(_ server: TestServer, user: String = "ada") async throws -> (String, String, String) {
        let token = try await server.signUp(user)
        let project = try await server.createProject("stripes", token: token)
        try await server.uploadStripes(to: project, token: token)
        let id = try #require(try await server.startIteration(project, token: token)["id"] as? String)
        let finished = try await server.withWorker { try await server.waitForIteration(project, id, token: token) }
        try #require(finished["status"] as? String == "succeeded", "\(finished)")
        return (token, project, id)
    }

    @Test(arguments: TestDatabase.all)
    func publishPredictRepointAndUnpublish(database: TestDatabase) async throws {
        try await TestServer.with(database) { server in
            let (token, project, iteration) = try await Self.trained(server)
            let published = try await server.request(
                .POST, "/v1/projects/\(project)/deployments", token: token,
                json: ["name": "stripes-v1", "iterationId": iteration])
            #expect(published.status == 201, "\(published.text)")
            let key = try #require(published["predictionKey"] as? String)
            #expect(key.hasPrefix("mnwp_") && published["endpoint"] as? String == "/v1/predict/stripes-v1")

            // Many clients at once on a new deployment: all answered, with one database lookup
            // (plus one background refresh per entry lifetime the burst outlasts on a loaded
            // machine; a herd would make one lookup per request).
            let image = StripeImages.png(horizontal: true, seed: 77)
            let burstStart = Date()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<32 {
                    group.addTask {
                        try await server.request(
                            .POST, "/v1/predict/stripes-v1", body: image,
                            headers: [("Prediction-Key", key), ("Content-Type", "image/png")]
                        ).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 32))
            let refreshesPossible = Int(Date().timeIntervalSince(burstStart) / server.services.deployments.lifetime)
            let lookups = try #require(try await Self.deploymentLookups(server))
            #expect(lookups >= 1 && lookups <= 1 + refreshesPossible, "\(lookups) lookups for 32 requests")

            // One raw image.
            let answer = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: image,
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            #expect(answer.status == 200, "\(answer.text)")
            let prediction = try #require((answer["predictions"] as? [[String: Any]])?.first)
            #expect(prediction["label"] as? String == "across" && answer["iteration"] as? Int == 1)
            let scores = try #require(prediction["scores"] as? [[String: Any]])
            #expect(scores.count == 2 && (scores[0]["score"] as? Double ?? 0) >= (scores[1]["score"] as? Double ?? 1))

            // A batch.
            var form = MultipartForm()
            form.addFile(fileName: "a.png", type: "image/png", content: StripeImages.png(horizontal: true, seed: 78))
            form.addFile(fileName: "d.png", type: "image/png", content: StripeImages.png(horizontal: false, seed: 79))
            let batch = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: form.encoded,
                headers: [("Prediction-Key", key), ("Content-Type", form.contentType)])
            #expect(
                (batch["predictions"] as? [[String: Any]])?.map { $0["label"] as? String } == ["across", "down"],
                "\(batch.text)")
            #expect(
                (batch["predictions"] as? [[String: Any]])?.map { $0["fileName"] as? String } == ["a.png", "d.png"])

            // Wrong or missing key, bad image, unknown name.
            let wrong = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: image,
                headers: [("Prediction-Key", key + "x"), ("Content-Type", "image/png")])
            #expect(wrong.status == 401)
            let missing = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: image, headers: [("Content-Type", "image/png")])
            #expect(missing.status == 400 || missing.status == 401)
            let garbage = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: Data("nope".utf8),
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            #expect(garbage.status == 422)
            let unknown = try await server.request(
                .POST, "/v1/predict/nothing-here", body: image,
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            #expect(unknown.status == 404)

            // The name is unique on the server, even across users.
            let bob = try await server.signUp("bob")
            let bobProject = try await server.createProject("mine", token: bob)
            let taken = try await server.request(
                .POST, "/v1/projects/\(bobProject)/deployments", token: bob,
                json: ["name": "stripes-v1", "iterationId": iteration])
            #expect(taken.status == 404)  // bob cannot publish ada's iteration at all
            let hidden = try await server.request(.GET, "/v1/projects/\(project)/deployments", token: bob)
            #expect(hidden.status == 404)

            // Re-point to a second iteration: same endpoint, same key.
            let second = try #require(try await server.startIteration(project, token: token)["id"] as? String)
            _ = try await server.withWorker { try await server.waitForIteration(project, second, token: token) }
            let repointed = try await server.request(
                .PATCH, "/v1/projects/\(project)/deployments/stripes-v1", token: token, json: ["iterationId": second])
            #expect(repointed.status == 200 && repointed["iterationNumber"] as? Int == 2, "\(repointed.text)")
            let afterRepoint = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: image,
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            #expect(afterRepoint["iteration"] as? Int == 2)
            let busy = try await server.request(.DELETE, "/v1/projects/\(project)/iterations/\(second)", token: token)
            #expect(busy.status == 409)

            // Another server re-points the name back (straight in the shared database): this server
            // answers from its entry until it expires, then from the database again.
            let row = try #require(
                try await Deployment.query(on: server.app.db).filter(\.$name == "stripes-v1").first())
            row.$iteration.id = try #require(UUID(uuidString: iteration))
            try await row.save(on: server.app.db)
            let predict = {
                try await server.request(
                    .POST, "/v1/predict/stripes-v1", body: image,
                    headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            }
            #expect(try await predict()["iteration"] as? Int == 2)
            try await Task.sleep(for: .seconds(2.2))
            var answered: [Int] = []
            for _ in 0..<20 where answered.last != 1 {
                answered.append(try await predict()["iteration"] as? Int ?? 0)
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(answered.last == 1 && answered.allSatisfy { $0 == 1 || $0 == 2 }, "\(answered)")

            // Counts reach the list.
            try await Task.sleep(for: .seconds(2.5))
            let list = try await server.request(.GET, "/v1/projects/\(project)/deployments", token: token)
            let entry = try #require((list["items"] as? [[String: Any]])?.first)
            #expect((entry["requests"] as? Int ?? 0) >= 3 && (entry["errors"] as? Int ?? 0) >= 2, "\(entry)")
            #expect(entry["predictionKey"] == nil && (entry["keyPrefix"] as? String).map { key.hasPrefix($0) } == true)

            // Unpublish: the endpoint and key stop working at once.
            let removed = try await server.request(
                .DELETE, "/v1/projects/\(project)/deployments/stripes-v1", token: token)
            #expect(removed.status == 204)
            let gone = try await server.request(
                .POST, "/v1/predict/stripes-v1", body: image,
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            #expect(gone.status == 404)

            // Deleting an iteration drops its loaded model from the cache.
            let models = try #require(server.app.storage[MinnowServices.Key.self]).models
            let loaded = models.count
            let deleted = try await server.request(
                .DELETE, "/v1/projects/\(project)/iterations/\(second)", token: token)
            #expect(deleted.status == 204 && loaded == 2 && models.count == 1, "\(deleted.text)")
        }
    }

    /// `minnow_deployment_lookups_total` from the server's metrics.
    static func deploymentLookups(_ server: TestServer) async throws -> Int? {
        let metrics = try await server.request(.GET, "/metrics").text
        let line = metrics.split(separator: "\n").first { $0.hasPrefix("minnow_deployment_lookups_total ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    @Test
    func predictionsEqualTensorFlowLiteMicroOnTheDownloadedModel() async throws {
        try await TestServer.with(.sqlite) { server in
            let (token, project, iteration) = try await Self.trained(server)
            let tflite = try await server.request(
                .GET, "/v1/projects/\(project)/iterations/\(iteration)/artifacts/tflite", token: token)
            #expect(tflite.status == 200 && tflite.body.count > 1000 && tflite.body[4..<8] == Data("TFL3".utf8))
            let card = try await server.request(
                .GET, "/v1/projects/\(project)/iterations/\(iteration)/artifacts/model-card", token: token)
            let quantization = try #require(card["quantization"] as? [String: Any])
            let (inScale, inZero) = (
                Float(quantization["inputScale"] as! Double), Int32(quantization["inputZeroPoint"] as! Int)
            )
            let (outScale, outZero) = (quantization["outputScale"] as! Double, quantization["outputZeroPoint"] as! Int)
            let key = try #require(
                try await server.request(
                    .POST, "/v1/projects/\(project)/deployments", token: token,
                    json: ["name": "parity", "iterationId": iteration])["predictionKey"] as? String)
            let images = (0..<6).map { StripeImages.png(horizontal: $0 % 2 == 0, seed: 500 + $0) }

            // The reference: TFLite Micro on the same input, quantised as the model card says.
            var inputs = [Int8]()
            for png in images {
                let pixels = try Image(decoding: png).pixels
                inputs += pixels.map {
                    Int8(clamping: quantizeValue(Float($0) / 255, scale: inScale, zeroPoint: inZero))
                }
            }
            let expected = try await ReferenceInterpreter.tflm(model: tflite.body, inputs: inputs, inputSize: 256)

            var answered = [Int8]()
            for png in images {
                let answer = try await server.request(
                    .POST, "/v1/predict/parity", body: png,
                    headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
                let scores = try #require(
                    (answer["predictions"] as? [[String: Any]])?.first?["scores"] as? [[String: Any]])
                let byLabel = Dictionary(
                    uniqueKeysWithValues: scores.map { ($0["label"] as! String, $0["score"] as! Double) })
                answered += ["across", "down"].map { Int8(Int((byLabel[$0]! / outScale).rounded()) + outZero) }
            }
            #expect(answered == expected)
        }
    }

    @Test
    func artifactsDownloadInEveryFormat() async throws {
        try await TestServer.with(.sqlite) { server in
            let (token, project, iteration) = try await Self.trained(server)
            let base = "/v1/projects/\(project)/iterations/\(iteration)/artifacts"
            let checkpoint = try await server.request(.GET, base + "/checkpoint", token: token)
            #expect(checkpoint.status == 200 && checkpoint.body.count > 1000)
            #expect(checkpoint.headers.first(name: "Content-Disposition")?.contains("stripes-iteration-1.mnnw") == true)
            for (kind, query) in [("c-library", ""), ("arduino-library", "?board=pico"), ("arduino-library", "")] {
                let zip = try await server.request(.GET, base + "/\(kind)\(query)", token: token)
                #expect(zip.status == 200 && zip.body.prefix(2) == Data("PK".utf8), "\(kind): \(zip.status)")
            }
            let badBoard = try await server.request(.GET, base + "/arduino-library?board=toaster", token: token)
            #expect(badBoard.status == 400 && badBoard.errorMessage?.contains("nano33ble") == true)
            let stranger = try await server.signUp("eve")
            let hidden = try await server.request(.GET, base + "/tflite", token: stranger)
            #expect(hidden.status == 404)
        }
    }
}
