import Foundation
import Testing

@Suite("Command-line dataset workflow")
struct DatasetCLITests {
    @Test func uploadListExportImportAnalyze() async throws {
        try await TestServer.with(.sqlite) { server in
            // setup: a folder of images, one of them bad
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cli-data-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: scratch) }
            for label in ["cat", "dog"] {
                try FileManager.default.createDirectory(
                    at: scratch.appendingPathComponent("photos/\(label)"), withIntermediateDirectories: true)
            }
            for seed in 0..<6 {
                try TestImages.png(seed: seed).write(to: scratch.appendingPathComponent("photos/cat/c\(seed).png"))
            }
            for seed in 10..<16 {
                try TestImages.jpeg(seed: seed).write(to: scratch.appendingPathComponent("photos/dog/d\(seed).jpg"))
            }
            try Data("nope".utf8).write(to: scratch.appendingPathComponent("photos/cat/broken.png"))
            let env = [
                "MINNOW_CONFIG_DIR": scratch.appendingPathComponent("config").path, "MINNOW_SERVER": server.baseURL,
            ]
            func minnow(_ args: String..., stdin: String? = nil) async throws -> CommandResult {
                try await MinnowProcess.run(args, stdin: stdin, environment: env)
            }
            _ = try await minnow("register", "--username", "ada", "--password-stdin", stdin: "correct horse\n")
            _ = try await minnow("projects", "create", "pets")

            // act and check
            let cats = try await minnow(
                "images", "upload", "--project", "pets", "--label", "cat", "--batch-size", "4",
                scratch.appendingPathComponent("photos/cat").path)
            #expect(
                cats.status == 0 && cats.stdout.contains("6 accepted, 0 duplicates, 1 rejected"),
                "\(cats.stdout)\(cats.stderr)")
            #expect(cats.stdout.contains("rejected broken.png: not a JPEG or PNG image"))
            let dogs = try await minnow(
                "images", "upload", "--project", "pets", "--label", "dog", "--split", "train", "--json",
                scratch.appendingPathComponent("photos/dog").path)
            #expect(dogs.status == 0 && dogs.stdout.contains(#""accepted" : 6"#))
            let labels = try await minnow("labels", "list", "--project", "pets")
            #expect(labels.stdout.contains("dog    6      0     6"), "\(labels.stdout)")
            let listed = try await minnow("images", "list", "--project", "pets", "--label", "dog", "--json")
            #expect(listed.stdout.components(separatedBy: "\"fileName\"").count - 1 == 6)

            let zip = scratch.appendingPathComponent("pets.zip").path
            let export = try await minnow("dataset", "export", "--project", "pets", "-o", zip)
            #expect(export.status == 0 && FileManager.default.fileExists(atPath: zip))
            _ = try await minnow("projects", "create", "copy")
            let imported = try await minnow("dataset", "import", "--project", "copy", zip)
            #expect(
                imported.status == 0 && imported.stdout.contains("12 entries: 12 imported, 0 duplicates, 0 skipped"),
                "\(imported.stdout)\(imported.stderr)")
            let analysis = try await minnow("dataset", "analyze", "--project", "copy")
            #expect(
                analysis.stdout.contains("12 images, 12 labelled") && analysis.stdout.contains("Ready to train."),
                "\(analysis.stdout)")

            let renamed = try await minnow("labels", "rename", "--project", "copy", "dog", "cat")
            #expect(renamed.status == 0 && renamed.stdout.contains("on 6 images"))
            let refused = try await minnow("labels", "delete", "--project", "copy", "cat")
            #expect(refused.status != 0 && refused.stderr.contains("--delete-images or --keep-images"))
            let missing = try await minnow("dataset", "import", "--project", "copy", "/nonexistent.zip")
            #expect(missing.status == 1 && missing.stderr == "error: /nonexistent.zip does not exist.\n")
        }
    }
}
