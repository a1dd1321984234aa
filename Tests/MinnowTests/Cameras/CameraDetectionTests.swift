// A camera on a detection (FOMO) deployment: each object becomes a sighting with its centre
// and the model's cell as its box, equal to the prediction API's detections; with "only frames
// with a detection" an empty scene keeps its observation but not its frame; frames go back to
// the dataset labelled with a box per object.
import Foundation
import Imaging
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Camera detection")
struct CameraDetectionTests {
    /// A 32x32 dark frame with no square.
    static func emptyScene() -> Data {
        try! Image(width: 32, height: 32, channels: 1, pixels: [UInt8](repeating: 40, count: 32 * 32)).pngData()
    }

    @Test func detectionsBecomeSightingsWithBoxesAndEmptyScenesKeepNoFrame() async throws {
        try await TestServer.with(.sqlite) { server in
            let (token, project, iteration, finished) = try await DetectionTrainingTests.trainedSquares(
                server, trainCount: 48, epochs: 12)
            try #require(finished["status"] as? String == "succeeded", "\(finished)")
            let published = try await server.request(
                .POST, "/v1/projects/\(project)/deployments", token: token,
                json: ["name": "squares", "iterationId": iteration])
            let predictionKey = try #require(published["predictionKey"] as? String)
            let (camera, key, keyID) = try await CameraWorld.addCamera(
                "yard", to: project, deployment: "squares", token: token, server: server)
            let world = CameraWorld(
                server: server, token: token, project: project, iteration: iteration, deployment: "squares",
                predictionKey: predictionKey, camera: camera, cameraKey: key, cameraKeyID: keyID)
            let settings = try await server.request(
                .PATCH, "/v1/projects/\(project)", token: token, json: ["retention": ["onlyWithDetections": true]])
            #expect(settings.status == 200, "\(settings.text)")

            // act: frames with a square; check: the same objects as the prediction API, each a sighting
            var found = 0
            for seed in 900..<908 {
                let (frame, box) = DetectionTrainingTests.squareImage(seed: seed)
                let stored = try await world.post(frame)
                try #require(stored.status == 201, "\(stored.text)")
                let predicted = try await world.predict(frame)
                let detections = stored["detections"] as? [[String: Any]] ?? []
                let expected = predicted["detections"] as? [[String: Any]] ?? []
                #expect(
                    detections.map { "\($0["label"]!) \($0["x"]!) \($0["y"]!) \($0["score"]!)" }
                        == expected.map { "\($0["label"]!) \($0["x"]!) \($0["y"]!) \($0["score"]!)" })
                #expect(stored["frame"] as? String == (detections.isEmpty ? "no-detection" : "stored"))
                guard !detections.isEmpty else { continue }
                // one of the objects is the square: its centroid within a cell (8 px of 32) of the square's centre
                let centreX = box["x"]! + box["width"]! / 2, centreY = box["y"]! + box["height"]! / 2
                if detections.contains(where: {
                    abs(($0["x"] as? Double ?? -1) - centreX) <= 0.25
                        && abs(($0["y"] as? Double ?? -1) - centreY) <= 0.25
                }) {
                    found += 1
                }
            }
            #expect(found >= 5, "the detector finds most squares where they are")
            let sightings = try await world.search("label=square&limit=200")
            #expect(sightings.items.count >= found)
            let first = try #require(sightings.items.first)
            #expect(
                first["width"] as? Double == 0.25 && first["height"] as? Double == 0.25 && first["x"] is Double,
                "\(first)")

            // an empty scene: the observation stays, the frame does not, and nothing is sighted
            let empty = try await world.post(Self.emptyScene())
            #expect(
                empty.status == 201 && empty["frame"] as? String == "no-detection" && empty["detections"] == nil,
                "\(empty.text)")
            #expect(try await world.search("label=square&limit=200").items.count == sightings.items.count)

            // back into the dataset labelled: one box per object, centred on it, a cell in size
            let observation = try #require(first["observationId"] as? String)
            let added = try await server.request(
                .POST, "/v1/projects/\(project)/images/from-observations", token: token,
                json: ["observationIds": [observation], "labelled": true])
            let image = try #require((added["images"] as? [String])?.first, "\(added.text)")
            let stored = try await server.request(.GET, "/v1/projects/\(project)/images/\(image)", token: token)
            let boxes = stored["boxes"] as? [[String: Any]] ?? []
            #expect(
                boxes.count == sightings.items.filter { $0["observationId"] as? String == observation }.count
                    && boxes.first?["label"] as? String == "square", "\(stored.text)")
            #expect(
                abs((boxes.first?["width"] as? Double ?? 0) - 0.25) < 1e-9
                    || (boxes.first?["width"] as? Double ?? 0) < 0.25, "clamped at the edge at most")
        }
    }
}
