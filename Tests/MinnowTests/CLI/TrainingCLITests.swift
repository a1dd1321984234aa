// The command-line workflow from data to a called model: train with live progress, list and
// show iterations, download artifacts, publish, predict, evaluate, and clear errors.
import Foundation
import Testing

@Suite("Command-line training workflow")
struct TrainingCLITests {
    @Test func trainFollowDownloadDeployPredict() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "cli-train-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let env = [
                "MINNOW_CONFIG_DIR": scratch.appendingPathComponent("config").path, "MINNOW_SERVER": server.baseURL,
            ]
            func minnow(_ args: String..., stdin: String? = nil) async throws -> CommandResult {
                try await MinnowProcess.run(args, stdin: stdin, environment: env)
            }
            _ = try await minnow("register", "--username", "ada", "--password-stdin", stdin: "correct horse\n")
            let token = try await server.signIn("ada")
            let project = try await server.createProject("stripes", token: token)
            try await server.uploadStripes(to: project, token: token)

            // act: train and follow
            let trained = try await server.withWorker {
                try await minnow(
                    "train", "--project", "stripes", "--arch", "tiny-cnn", "--size", "16", "--color", "grayscale",
                    "--epochs", "3", "--batch-size", "8", "--learning-rate", "0.005", "--no-augment", "--follow")
            }
            #expect(trained.status == 0, "\(trained.stdout)\(trained.stderr)")
            let shown = trained.stdout + trained.stderr
            #expect(
                shown.contains("Epoch 3/3: loss") && shown.contains("Test accuracy:") && shown.contains("int8"),
                "\(shown)")
            #expect(trained.stdout.contains("across") && trained.stdout.contains("PRECISION"))

            let list = try await minnow("iterations", "list", "--project", "stripes")
            #expect(list.stdout.contains("succeeded") && list.stdout.contains("tiny-cnn"), "\(list.stdout)")
            let show = try await minnow("iterations", "show", "1", "--project", "stripes", "--json")
            #expect(show.status == 0 && show.stdout.contains("\"number\" : 1"))

            let model = scratch.appendingPathComponent("stripes.tflite").path
            let download = try await minnow(
                "download", "--project", "stripes", "--iteration", "1", "--format", "tflite", "-o", model)
            #expect(
                download.status == 0 && FileManager.default.contents(atPath: model)?[4..<8] == Data("TFL3".utf8),
                "\(download.stderr)")
            let arduino = scratch.appendingPathComponent("lib.zip").path
            let library = try await minnow(
                "download", "--project", "stripes", "--iteration", "1", "--format", "arduino", "--board", "pico", "-o",
                arduino)
            #expect(library.status == 0 && FileManager.default.contents(atPath: arduino)?.prefix(2) == Data("PK".utf8))

            let deployed = try await minnow("deploy", "stripes-cli", "--project", "stripes", "--iteration", "1")
            #expect(deployed.status == 0, "\(deployed.stderr)")
            let key = try #require(
                deployed.stdout.split(separator: "\n").first { $0.hasPrefix("Prediction-Key:") }?
                    .split(separator: " ").last.map(String.init))
            let image = scratch.appendingPathComponent("across.png")
            try StripeImages.png(horizontal: true, seed: 4242).write(to: image)
            let predicted = try await minnow("predict", "stripes-cli", image.path, "--key", key)
            #expect(
                predicted.status == 0 && predicted.stdout.hasPrefix("across.png: across"),
                "\(predicted.stdout)\(predicted.stderr)")
            let badKey = try await minnow("predict", "stripes-cli", image.path, "--key", "mnwp_wrong")
            #expect(badKey.status != 0 && badKey.stderr.contains("Prediction-Key"), "\(badKey.stderr)")
            let deployments = try await minnow("deployments", "list", "--project", "stripes")
            #expect(deployments.stdout.contains("stripes-cli"))

            let unknown = try await minnow("iterations", "show", "9", "--project", "stripes")
            #expect(unknown.status != 0 && unknown.stderr.contains("no iteration 9"))
        }
    }
}
