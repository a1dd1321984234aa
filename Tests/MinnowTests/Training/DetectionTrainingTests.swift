// A detection project through the training service: FOMO trains on boxes' centres, reports
// F1 for float and int8, and its deployment answers objects with their positions.
import APITypes
import Foundation
import Imaging
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Detection iterations")
struct DetectionTrainingTests {
    /// A 32x32 gray image with a bright 6x6 square on a dark noisy background; returns the
    /// PNG and the square's box as fractions.
    static func squareImage(seed: Int) -> (Data, [String: Double]) {
        var state = UInt32(truncatingIfNeeded: seed &* 2_654_435_761 &+ 3)
        func next() -> Int {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Int(state >> 24)
        }
        let x0 = 2 + next() % 22, y0 = 2 + next() % 22
        var pixels = [UInt8]()
        for y in 0..<32 {
            for x in 0..<32 {
                pixels.append(
                    UInt8((x0..<(x0 + 6)).contains(x) && (y0..<(y0 + 6)).contains(y) ? 220 : 30 + next() % 30))
            }
        }
        let png = try! Image(width: 32, height: 32, channels: 1, pixels: pixels).pngData()
        return (png, ["x": Double(x0) / 32, "y": Double(y0) / 32, "width": 6.0 / 32, "height": 6.0 / 32])
    }

    /// A detection project of squares (`trainCount` training images), trained for `epochs`; returns (token, project, iteration, finished iteration).
    static func trainedSquares(
        _ server: TestServer, trainCount: Int = 24, epochs: Int = 8
    ) async throws -> (String, String, String, [String: Any]) {
        let token = try await server.signUp("ada")
        let project = try await server.createProject("squares", token: token, task: "detection")
        for (split, seeds) in [("train", 0..<trainCount), ("test", 100..<108)] {
            var form = MultipartForm()
            form.addField("split", split)
            var boxes: [String: [String: Double]] = [:]
            for seed in seeds {
                let (png, box) = Self.squareImage(seed: seed)
                form.addFile(fileName: "s\(seed).png", type: "image/png", content: png)
                boxes["s\(seed).png"] = box
            }
            let report = try await server.upload(form, to: project, token: token)
            for file in report["files"] as? [[String: Any]] ?? [] {
                let id = try #require(file["imageId"] as? String), name = try #require(file["fileName"] as? String)
                var box: [String: Any] = boxes[name]!
                box["label"] = "square"
                let patched = try await server.request(
                    .PATCH, "/v1/projects/\(project)/images/\(id)", token: token, json: ["boxes": [box]])
                try #require(patched.status == 200, "\(patched.text)")
            }
        }
        let configuration: [String: Any] = [
            "input": ["width": 32, "height": 32, "colorMode": "grayscale"], "epochs": epochs, "batchSize": 8,
            "augmentation": false, "learningRate": 0.005, "seed": 5,
        ]
        let id = try #require(
            try await server.startIteration(project, token: token, configuration: configuration)["id"] as? String)
        let finished = try await server.withWorker { try await server.waitForIteration(project, id, token: token) }
        return (token, project, id, finished)
    }

    @Test func fomoTrainsOnBoxesAndPredictsPositions() async throws {
        try await TestServer.with(.sqlite) { server in
            let (token, project, id, finished) = try await Self.trainedSquares(server)

            #expect(finished["status"] as? String == "succeeded", "\(finished)")
            #expect((finished["configuration"] as? [String: Any])?["architecture"] as? String == "fomo")
            let results = try #require(finished["results"] as? [String: Any])
            let int8 = try #require(results["int8"] as? [String: Any])
            #expect(
                int8["f1"] is Double && (int8["perClass"] as? [[String: Any]])?.first?["label"] as? String == "square",
                "\(int8)")

            let key = try #require(
                try await server.request(
                    .POST, "/v1/projects/\(project)/deployments", token: token,
                    json: ["name": "squares", "iterationId": id])["predictionKey"] as? String)
            let answer = try await server.request(
                .POST, "/v1/predict/squares?threshold=0.3", body: Self.squareImage(seed: 999).0,
                headers: [("Prediction-Key", key), ("Content-Type", "image/png")])
            #expect(answer.status == 200, "\(answer.text)")
            let result = try answer.decoded(as: Components.Schemas.PredictionResult.self)
            let prediction = try #require(result.predictions.first)
            #expect(result.deployment == "squares" && prediction.scores.first?.label == "square")
            let centres = try #require(prediction.detections, "\(answer.text)").map { ($0.x, $0.y) }
            #expect(centres.allSatisfy { (0...1).contains($0.0) && (0...1).contains($0.1) }, "\(centres)")
        }
    }
}
