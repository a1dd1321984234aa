// A small dataset a model learns in seconds (16x16 grayscale: horizontal vs vertical stripes
// with noise), uploaded through the API, and helpers to train on it and wait for results.
import Foundation
import Imaging
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

enum StripeImages {
    /// A 16x16 grayscale PNG: stripes across (`horizontal`) or down, at a seeded phase, with noise.
    static func png(horizontal: Bool, seed: Int, size: Int = 16) -> Data {
        var state = UInt32(truncatingIfNeeded: seed &* 2_654_435_761 &+ 7)
        func next() -> Int {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Int(state >> 24)
        }
        let phase = next() % 4
        var pixels = [UInt8]()
        for y in 0..<size {
            for x in 0..<size {
                let stripe = ((horizontal ? y : x) + phase) / 2 % 2 == 0
                pixels.append(UInt8(clamping: (stripe ? 200 : 50) + next() % 40 - 20))
            }
        }
        return try! Image(width: size, height: size, channels: 1, pixels: pixels).pngData()
    }
}

extension TestServer {
    /// Uploads `perLabel` training and `testPerLabel` test images of each stripe direction.
    func uploadStripes(
        to project: String, token: String, perLabel: Int = 24, testPerLabel: Int = 8, seed: Int = 0
    ) async throws {
        for (label, horizontal) in [("across", true), ("down", false)] {
            for (split, count, offset) in [("train", perLabel, 0), ("test", testPerLabel, 10_000)] {
                var form = MultipartForm()
                form.addField("label", label)
                form.addField("split", split)
                for i in 0..<count {
                    form.addFile(
                        fileName: "\(label)-\(split)-\(i).png", type: "image/png",
                        content: StripeImages.png(
                            horizontal: horizontal, seed: seed + offset + i * 2 + (horizontal ? 1 : 0)))
                }
                let report = try await upload(form, to: project, token: token)
                try #require(report.status == 200 && report["accepted"] as? Int == count, "upload: \(report.text)")
            }
        }
    }

    /// A small, fast training configuration for the stripes.
    nonisolated(unsafe) static let quickTraining: [String: Any] = [
        "architecture": "tiny-cnn", "input": ["width": 16, "height": 16, "colorMode": "grayscale"],
        "epochs": 4, "batchSize": 8, "learningRate": 0.005, "augmentation": false, "seed": 3,
    ]

    func startIteration(
        _ project: String, token: String, configuration: [String: Any] = TestServer.quickTraining
    ) async throws -> [String: Any] {
        let created = try await request(.POST, "/v1/projects/\(project)/iterations", token: token, json: configuration)
        try #require(created.status == 202, "create iteration: \(created.status) \(created.text)")
        return created.json
    }

    /// Polls the iteration until it has finished; returns it.
    func waitForIteration(
        _ project: String, _ iteration: String, token: String, timeout: TimeInterval = 180
    ) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let got = try await request(.GET, "/v1/projects/\(project)/iterations/\(iteration)", token: token)
            if ["succeeded", "failed", "canceled"].contains(got["status"] as? String ?? "") { return got.json }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("iteration \(iteration) did not finish within \(timeout) s")
        return [:]
    }

    /// Runs an in-process job worker (the same code `minnow worker` runs) while `body` runs.
    func withWorker<T>(leaseSeconds: Double = 15, _ body: () async throws -> T) async throws -> T {
        let worker = JobWorker(
            db: app.db, logger: app.logger, leaseSeconds: leaseSeconds, heartbeatInterval: .milliseconds(500))
        let running = Task { await worker.run() }
        let result: Result<T, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        worker.stop()
        await running.value
        return try result.get()
    }
}
