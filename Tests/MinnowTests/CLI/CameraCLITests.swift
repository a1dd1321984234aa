// `minnow camera` and `minnow observations` as a person and a camera use them: the real binary
// posts stripe frames through its spool to a deployed classifier, rejects a corrupt file with
// its reason, keeps every frame through a server outage and a restart and delivers each
// exactly once, captures through --capture-command, and the observations commands find and
// reuse what it saw.
import APITypes
import Foundation
import Imaging
import Testing

@Suite("Command-line cameras")
struct CameraCLITests {
    @Test func folderOnceRejectsTheCorruptFileThenSearchAndDataset() async throws {
        try await CameraCLIWorld.with { world in
            // setup: four stripe frames and a file that is no image
            let folder = try world.folder("frames")
            for (i, horizontal) in [true, true, false, false].enumerated() {
                try StripeImages.png(horizontal: horizontal, seed: 500 + i).write(
                    to: folder.appendingPathComponent("frame-\(i).png"))
            }
            try Data("not a picture".utf8).write(to: folder.appendingPathComponent("corrupt.jpg"))
            let spool = world.scratch.appendingPathComponent("spool")

            // act
            let run = try await world.camera(
                "--folder", folder.path, "--spool", spool.path, "--once", "--interval", "0.2")

            // check: four observations, the corrupt file rejected with its reason, the spool empty
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            for i in 0..<4 {
                #expect(
                    run.stdout.contains("frame-\(i).png: ") && run.stdout.contains(", frame stored"), "\(run.stdout)")
            }
            #expect(run.stdout.contains("Delivered 4 frames, rejected 1; the spool is empty."), "\(run.stdout)")
            #expect(try await world.observationCount() == 4)
            let rejected = try FileManager.default.contentsOfDirectory(
                atPath: spool.appendingPathComponent("rejected").path)
            let reason = try #require(rejected.first { $0.hasSuffix("corrupt.jpg.error.txt") }, "\(rejected)")
            #expect(rejected.contains { $0.hasSuffix("corrupt.jpg") })
            #expect(
                try String(contentsOf: spool.appendingPathComponent("rejected/\(reason)"), encoding: .utf8).contains(
                    "HTTP 422: The frame is not a readable"))
            let again = try await world.camera(
                "--folder", folder.path, "--spool", spool.path, "--once", "--interval", "0.2")
            #expect(again.status == 0 && again.stdout.contains("Delivered 0 frames"), "\(again.stdout)\(again.stderr)")
            #expect(try await world.observationCount() == 4)

            let help = try await world.minnow("camera", "--help")
            #expect(
                help.stdout.contains("MINNOW_TOKEN") && help.stdout.contains("not been tested against real")
                    && help.stdout.contains("--capture-command"))

            // act and check: a camera's key cannot look a project up by name; its limits change with `keys limits`
            let byName = try await MinnowProcess.run(
                [
                    "camera", "--server", world.server.baseURL, "--project", "stripes", "--device", world.camera,
                    "--folder", folder.path, "--once",
                ], environment: world.cameraEnvironment)
            #expect(byName.status == 1 && byName.stderr.contains("give its id with --project"), "\(byName.stderr)")
            let keyID = try #require(
                try await world.server.request(.GET, "/v1/api-keys", token: world.token).items.first?["id"] as? String)
            let limits = try await world.minnow(
                "keys", "limits", keyID, "--frames-per-minute", "120", "--daily-frame-quota", "5000")
            #expect(
                limits.stdout.contains("120 frames per minute, 5000 per day (used today: "),
                "\(limits.stdout)\(limits.stderr)")
            #expect(
                try await world.server.request(.GET, "/v1/api-keys/\(keyID)", token: world.token)["dailyFrameQuota"]
                    as? Int == 5000)

            // act and check: a frame from --capture-command (a script printing a JPEG), with the V4L2 device it was given
            let jpeg = world.scratch.appendingPathComponent("still.jpg")
            try Image(decoding: StripeImages.png(horizontal: true, seed: 77)).jpegData(quality: 95).write(to: jpeg)
            let script = world.scratch.appendingPathComponent("capture.sh")
            try "#!/bin/sh\n[ \"$MINNOW_CAMERA_DEVICE\" = /dev/video7 ] || exit 3\ncat '\(jpeg.path)'\n".write(
                to: script, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
            let captured = try await world.camera(
                "--v4l2", "/dev/video7", "--capture-command", script.path, "--spool", spool.path, "--once")
            #expect(
                captured.status == 0 && captured.stdout.contains("capture.jpg: "),
                "\(captured.stdout)\(captured.stderr)")
            #expect(try await world.observationCount() == 5)

            // act and check: the observations commands
            // the captured frame: its capture time is the latest
            let newest = try #require(try await world.sightings("limit=1").first)
            let label = try #require(newest["label"] as? String),
                observation = try #require(newest["observationId"] as? String)
            let lastSeen = try await world.minnow("observations", "last-seen", label, "--project", "stripes")
            #expect(
                lastSeen.stdout.hasPrefix("\(label) was last seen by porch at ")
                    && lastSeen.stdout.contains("/observations/\(observation)/frame"),
                "\(lastSeen.stdout)\(lastSeen.stderr)")
            let search = try await world.minnow(
                "observations", "search", "--project", "stripes", "--label", label, "--device", "porch", "--since", "1h"
            )
            let rows = search.stdout.split(separator: "\n").filter {
                $0.contains("porch") && $0.contains(" \(label) ") && $0.hasSuffix("kept")
            }
            let matching = try await world.sightings("label=\(label)").count
            #expect(rows.count == matching && search.stdout.hasPrefix("TIME"), "\(search.stdout)\(search.stderr)")
            let saved = world.scratch.appendingPathComponent("saved.jpg").path
            let frame = try await world.minnow(
                "observations", "frame", observation, "-o", saved, "--project", "stripes")
            let sent = try Data(contentsOf: jpeg)
            #expect(frame.status == 0 && FileManager.default.contents(atPath: saved) == sent, "\(frame.stderr)")
            let added = try await world.minnow(
                "observations", "to-dataset", "--project", "stripes", "--max-score", "1", "--limit", "2")
            #expect(
                added.status == 0 && added.stdout.hasPrefix("Added 2 images (source device, unlabelled)"),
                "\(added.stdout)\(added.stderr)")
            let fromDevice = try await world.server.request(
                .GET, "/v1/projects/\(world.project)/images?source=device", token: world.token)
            #expect((fromDevice["metadata"] as? [String: Any])?["total"] as? Int == 2, "\(fromDevice.text)")
        }
    }

    @Test func framesWaitInTheSpoolThroughOutagesAndArriveExactlyOnce() async throws {
        try await CameraCLIWorld.with { world in
            // setup: a camera started while nothing listens on its server's port
            let folder = try world.folder("outage")
            let spool = world.scratch.appendingPathComponent("outage-spool")
            let port = Int.random(in: 20_000...40_000)
            func addFrames(_ range: Range<Int>) throws {
                for i in range {
                    try StripeImages.png(horizontal: i % 2 == 0, seed: 900 + i).write(
                        to: folder.appendingPathComponent(String(format: "f%02d.png", i)))
                }
            }
            func spooled() -> Int {
                ((try? FileManager.default.contentsOfDirectory(atPath: spool.path)) ?? []).filter {
                    $0.hasSuffix(".png")
                }.count
            }
            try addFrames(0..<3)
            let camera = try BackgroundMinnow(
                [
                    "camera", "--server", "http://127.0.0.1:\(port)", "--project", world.project, "--device",
                    world.camera,
                    "--folder", folder.path, "--spool", spool.path, "--interval", "0.2",
                ], environment: world.cameraEnvironment)
            try await Self.waitFor("3 frames in the spool", camera) { spooled() == 3 }
            try addFrames(3..<5)
            try await Self.waitFor("5 frames in the spool", camera) { spooled() == 5 }
            #expect(camera.log.contains("Kept in the spool"), "\(camera.log)")

            // act: the server comes up on that port, goes down while two more frames are taken, and comes back
            let serve = [
                "serve", "--data-dir", world.server.config.dataDirectory, "--port", "\(port)", "--bcrypt-cost", "4",
                "--workers", "0",
            ]
            var server = try BackgroundMinnow(serve)
            #expect(await FreePort.waitUntilReady(port))
            try await Self.waitFor("the first 5 frames delivered", camera) {
                try await world.observationCount() == 5 && spooled() == 0
            }
            server.signal(SIGTERM)
            #expect(await server.waitForExit() == 0, "\(server.log)")
            try addFrames(5..<7)
            try await Self.waitFor("2 frames in the spool during the outage", camera) { spooled() == 2 }
            server = try BackgroundMinnow(serve)
            #expect(await FreePort.waitUntilReady(port))
            try await Self.waitFor("all 7 frames delivered", camera) {
                try await world.observationCount() == 7 && spooled() == 0
            }

            // check: each frame exactly once, with the file's time as its capture time; a clean stop
            camera.signal(SIGTERM)
            #expect(await camera.waitForExit() == 0, "\(camera.log)")
            #expect(camera.log.contains("Delivered 7 frames, rejected 0; the spool is empty."), "\(camera.log)")
            #expect(try await world.observationCount() == 7)
            let observations = try await world.server.request(
                .GET, "/v1/projects/\(world.project)/devices/\(world.camera)/observations?perPage=100",
                token: world.token
            ).items
            let captured = Set(observations.compactMap { $0["observedAt"] as? String })
            let expected = try Set(
                (0..<7).map { i in
                    let modified = try #require(
                        try FileManager.default.attributesOfItem(
                            atPath: folder.appendingPathComponent(String(format: "f%02d.png", i)).path)[
                                .modificationDate] as? Date)
                    return Date(timeIntervalSince1970: (modified.timeIntervalSince1970 * 1000).rounded() / 1000)
                        .ISO8601Format()
                })
            #expect(
                Set(captured.map { String($0.prefix(19)) }) == Set(expected.map { String($0.prefix(19)) }),
                "\(captured) vs \(expected)")
            server.signal(SIGTERM)
            _ = await server.waitForExit()
        }
    }

    static func waitFor(
        _ what: String, _ camera: BackgroundMinnow, timeout: TimeInterval = 90,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("waited \(Int(timeout)) s for \(what); camera log:\n\(camera.log)")
        throw CancellationError()
    }
}

/// A trained stripes classifier deployed as "stripes-cam", a person signed in with the CLI,
/// and a camera "porch" registered and given its own key through the CLI.
struct CameraCLIWorld {
    let server: TestServer
    let scratch: URL
    let token: String
    let project: String
    let camera: String
    let cameraKey: String
    let environment: [String: String]

    var cameraEnvironment: [String: String] {
        ["MINNOW_TOKEN": cameraKey, "MINNOW_CONFIG_DIR": scratch.appendingPathComponent("camera-config").path]
    }

    static func with(_ body: (CameraCLIWorld) async throws -> Void) async throws {
        try await TestServer.with(.sqlite) { server in
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
                "cli-camera-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let (token, project, iteration) = try await DeploymentTests.trained(server)
            let published = try await server.request(
                .POST, "/v1/projects/\(project)/deployments", token: token,
                json: ["name": "stripes-cam", "iterationId": iteration])
            try #require(published.status == 201, "\(published.text)")
            let environment = [
                "MINNOW_CONFIG_DIR": scratch.appendingPathComponent("config").path, "MINNOW_SERVER": server.baseURL,
            ]
            let login = try await MinnowProcess.run(
                ["login", "--username", "ada", "--password-stdin"], stdin: "correct horse\n", environment: environment)
            try #require(login.status == 0, "\(login.stderr)")

            let created = try await MinnowProcess.run(
                [
                    "devices", "create", "porch", "--project", "stripes", "--camera", "--deployment", "stripes-cam",
                    "--json",
                ],
                environment: environment)
            try #require(created.status == 0, "\(created.stderr)")
            let device = try Wire.decode(Components.Schemas.Device.self, from: Data(created.stdout.utf8))
            #expect(device.kind == .camera && device.deployment == "stripes-cam" && device.status == .neverSeen)
            let camera = device.id
            let key = try await MinnowProcess.run(
                ["keys", "create", "--project", "stripes", "--device", "porch", "--frames-per-minute", "600"],
                environment: environment)
            let secret = key.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try #require(key.status == 0 && secret.hasPrefix("mnw_"), "\(key.stdout)\(key.stderr)")
            #expect(
                key.stderr.contains(
                    "MINNOW_TOKEN=\(secret) minnow camera --server \(server.baseURL) --project \(project) --device \(camera) --folder"
                ),
                "\(key.stderr)")
            try await body(
                CameraCLIWorld(
                    server: server, scratch: scratch, token: token, project: project, camera: camera,
                    cameraKey: secret, environment: environment))
        }
    }

    func folder(_ name: String) throws -> URL {
        let folder = scratch.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The person's CLI.
    func minnow(_ arguments: String...) async throws -> CommandResult {
        try await MinnowProcess.run(arguments, environment: environment)
    }

    /// `minnow camera` with the camera's key against the test server.
    func camera(_ arguments: String...) async throws -> CommandResult {
        try await MinnowProcess.run(
            ["camera", "--server", server.baseURL, "--project", project, "--device", camera] + arguments,
            environment: cameraEnvironment)
    }

    func sightings(_ query: String) async throws -> [[String: Any]] {
        try await server.request(.GET, "/v1/projects/\(project)/sightings?\(query)", token: token).items
    }

    func observationCount() async throws -> Int {
        let page = try await server.request(
            .GET, "/v1/projects/\(project)/devices/\(camera)/observations?perPage=1", token: token)
        return try #require((page["metadata"] as? [String: Any])?["total"] as? Int, "\(page.text)")
    }
}
