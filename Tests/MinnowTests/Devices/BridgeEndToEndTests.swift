// The device side end to end, on a real emulated board: a blank qemu Cortex-M4 (mps2-an386)
// behind a socat pty that a sysfs tree points at, the real `minnow bridge` binary discovering
// it, a worker building the firmware, gdb-multiarch flashing it, and the board's own boot
// line proving the install. The board then answers the iteration's test images exactly as
// the prediction API does. Failures end in `failed` with the stage and the log: a firmware
// that never boots, an unreachable debug probe, a bridge killed mid-install, a refused key.
import Foundation
import MinnowBridge
@testable import MinnowCore
@testable import MinnowServer
@testable import MinnowWorker
import Testing

@Suite("Bridge and emulated board, end to end", .serialized)
struct BridgeEndToEndTests {
    /// A trained project, a bridge key, an emulated board in a sysfs tree and its device.
    struct Bench {
        let token: String, project: String, iteration: String, key: String, device: String
        let board: EmulatedBoard
        let sysfs: String
        let work: URL
    }

    static func bench(_ server: TestServer, serial: String = "EMU-E2E-0001") async throws -> Bench {
        let (token, project, iteration) = try await DeploymentTests.trained(server)
        let key = try await DeviceRegistryTests.bridgeKey(server, project: project, token: token)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // EmulatedBoard starts, waits for and stops processes synchronously: on a thread of its
        // own, never on one of the few threads every test server's async work shares.
        let board = try await BlockingThread.run { try EmulatedBoard(directory: work.path) }
        let sysfs = work.appendingPathComponent("sysfs").path
        try SysfsTree.addBoard(
            root: sysfs, tty: board.tty, vid: 0x0d28, pid: 0x0204, serial: serial,
            manufacturer: "Minnow", product: "Emulated MPS2-AN386 (qemu)")
        let created = try await server.request(
            .POST, "/v1/projects/\(project)/devices", token: token,
            json: ["name": "bench-1", "profile": "mps2-an386", "usb": ["serialNumber": serial]])
        try #require(created.status == 201, "\(created.text)")
        return Bench(
            token: token, project: project, iteration: iteration, key: key,
            device: try #require(created["id"] as? String),
            board: board, sysfs: sysfs, work: work)
    }

    /// Runs `body` with a bench, then stops its board and removes its files, whatever happened.
    static func withBench<T>(
        _ server: TestServer, serial: String = "EMU-E2E-0001", _ body: (Bench) async throws -> T
    ) async throws -> T {
        let bench = try await Self.bench(server, serial: serial)
        let result: Result<T, any Error>
        do { result = .success(try await body(bench)) } catch { result = .failure(error) }
        let board = bench.board
        _ = try? await BlockingThread.run { board.stop() }
        try? FileManager.default.removeItem(at: bench.work)
        return try result.get()
    }

    static func bridge(
        _ server: TestServer, _ bench: Bench, gdb: String? = nil, bootTimeout: Int = 10, key: String? = nil
    ) throws -> BackgroundMinnow {
        try BackgroundMinnow(
            [
                // by name, as a person types it
                "bridge", "--server", server.baseURL, "--project", "stripes", "--name", "lab",
                "--sysfs-root", bench.sysfs, "--gdb", gdb ?? bench.board.gdbAddress, "--boot-timeout", "\(bootTimeout)",
            ],
            environment: ["MINNOW_TOKEN": key ?? bench.key])
    }

    static func waitFor(
        _ what: String, timeout: TimeInterval = 60, log bridge: BackgroundMinnow? = nil,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("timed out waiting for \(what)\(bridge.map { "\nbridge: \($0.log)" } ?? "")")
        throw CancellationError()
    }

    static func waitUntilOnline(_ server: TestServer, _ bench: Bench) async throws {
        try await waitFor("the bridge to find the board") {
            try await server.request(.GET, "/v1/projects/\(bench.project)/devices/\(bench.device)", token: bench.token)[
                "status"] as? String == "online"
        }
    }

    static func install(_ server: TestServer, _ bench: Bench) async throws -> String {
        let requested = try await server.request(
            .POST, "/v1/projects/\(bench.project)/devices/\(bench.device)/installs", token: bench.token,
            json: ["iterationId": bench.iteration])
        try #require(requested.status == 202, "\(requested.text)")
        return try #require(requested["id"] as? String)
    }

    static func installState(_ server: TestServer, _ bench: Bench, _ install: String) async throws -> TestResponse {
        try await server.request(
            .GET, "/v1/projects/\(bench.project)/devices/\(bench.device)/installs/\(install)", token: bench.token)
    }

    @Test func emulatedBoardGetsTheModelBootsAndAnswersLikeTheCloud() async throws {
        guard EmulatorTools.available else { return }
        try await TestServer.with(.sqlite) { server in
            try await Self.withBench(server) { bench in
                // setup
                let bridge = try Self.bridge(server, bench)
                try await Self.waitUntilOnline(server, bench)

                // act: install through the CLI, following it to the board's answer
                let installed = try await server.withWorker {
                    try await MinnowProcess.run(
                        [
                            "devices", "install", "bench-1", "--project", bench.project, "--iteration", "1", "--follow",
                            "--server", server.baseURL,
                        ],
                        environment: ["MINNOW_TOKEN": bench.token])
                }

                // check: success only with the hash the board printed
                #expect(installed.status == 0, "\(installed.stdout)\(installed.stderr)\nbridge: \(bridge.log)")
                #expect(installed.stdout.contains("the board booted firmware"), "\(installed.stdout)")
                // The board is seen again by the bridge's next heartbeat (on a loaded machine the one
                // sent while flashing may have found its port busy).
                try await Self.waitUntilOnline(server, bench)
                let device = try await server.request(
                    .GET, "/v1/projects/\(bench.project)/devices/\(bench.device)", token: bench.token)
                let history = try await server.request(
                    .GET, "/v1/projects/\(bench.project)/devices/\(bench.device)/installs", token: bench.token)
                let install = try #require((history["items"] as? [[String: Any]])?.first)
                #expect((history["items"] as? [Any])?.count == 1 && install["status"] as? String == "succeeded")
                let firmware = try #require(install["firmwareHash"] as? String)
                #expect(
                    install["reportedFirmwareHash"] as? String == firmware
                        && device["installedFirmwareHash"] as? String == firmware)
                #expect(device["installedIterationNumber"] as? Int == 1 && device["status"] as? String == "online")
                let full = try await Self.installState(server, bench, try #require(install["id"] as? String))
                let log = full["log"] as? String ?? ""
                #expect(
                    log.contains("\"event\":\"boot\"") && log.contains("\"firmware\":\"\(firmware)\"")
                        && log.contains("matched"), "\(log)")
                #expect(!log.contains("asking info"), "the boot line itself proves the install: \(log)")

                // The board answered the test images: every output equals the server's, and its
                // reading equals the prediction API's for the same image file.
                try await Self.waitFor("the check observations") {
                    (try await server.request(
                        .GET, "/v1/projects/\(bench.project)/devices/\(bench.device)/observations", token: bench.token)[
                            "items"] as? [Any])?.count == 8
                }
                let observations = try #require(
                    try await server.request(
                        .GET, "/v1/projects/\(bench.project)/devices/\(bench.device)/observations",
                        token: bench.token)["items"] as? [[String: Any]])
                #expect(
                    observations.allSatisfy { $0["matchesCloud"] as? Bool == true && ($0["ticks"] as? Int ?? 0) > 0 },
                    "\(observations)")
                let published = try await server.request(
                    .POST, "/v1/projects/\(bench.project)/deployments", token: bench.token,
                    json: ["name": "bench-cloud", "iterationId": bench.iteration])
                let predictionKey = try #require(published["predictionKey"] as? String)
                for observation in observations {
                    let imageID = try #require(observation["imageId"] as? String)
                    let image = try await server.request(
                        .GET, "/v1/projects/\(bench.project)/images/\(imageID)/content", token: bench.token)
                    let cloud = try await server.request(
                        .POST, "/v1/predict/bench-cloud", body: image.body,
                        headers: [("Prediction-Key", predictionKey), ("Content-Type", "image/png")])
                    let prediction = try #require((cloud["predictions"] as? [[String: Any]])?.first)
                    #expect(prediction["label"] as? String == observation["label"] as? String)
                    #expect(
                        Self.scores(prediction) == Self.scores(observation), "board \(observation) cloud \(prediction)")
                }

                // The CLI lists the same observations.
                let listed = try await MinnowProcess.run(
                    [
                        "devices", "observations", "bench-1", "--project", bench.project, "--json", "--server",
                        server.baseURL,
                    ],
                    environment: ["MINNOW_TOKEN": bench.token])
                #expect(
                    listed.status == 0 && listed.stdout.contains("\"matchesCloud\" : true"),
                    "\(listed.stdout)\(listed.stderr)")

                // The web app shows the device, what it runs, its history and the board's answers.
                let browser = TestBrowser(server)
                try await browser.signIn("ada")
                let list = try await browser.get("/projects/\(bench.project)/devices")
                #expect(
                    list.status == 200 && list.text.contains("bench-1") && list.text.contains("status-online")
                        && list.text.contains("lab"), "\(list.text)")
                let page = try await browser.get("/projects/\(bench.project)/devices/\(bench.device)")
                #expect(
                    page.text.contains(firmware) && page.text.contains("id=\"install-history\"")
                        && page.text.contains("same as cloud"), "\(page.text)")
                #expect(!page.text.contains("differs from cloud"))

                // Unplugged: the board disappears from the bridge's next heartbeat.
                let board = bench.board
                try await BlockingThread.run { board.killQemu() }
                try await Self.waitFor("the device to go offline", timeout: 30, log: bridge) {
                    try await server.request(
                        .GET, "/v1/projects/\(bench.project)/devices/\(bench.device)", token: bench.token)["status"]
                        as? String == "offline"
                }
            }
        }
    }

    @Test func failuresEndInFailedWithTheStageAndTheLog() async throws {
        guard EmulatorTools.available else { return }
        try await TestServer.with(.sqlite, configure: { $0.installLeaseSeconds = 5 }) { server in
            try await Self.withBench(server, serial: "EMU-E2E-0002") { bench in

                // An unreachable debug probe: gdb cannot connect; failed while flashing.
                let closed = try Self.bridge(server, bench, gdb: "127.0.0.1:\(LoopbackPort.free())")
                try await Self.waitUntilOnline(server, bench)
                let unreachable = try await Self.install(server, bench)
                try await server.withWorker {
                    try await Self.waitFor("the unreachable probe to fail the install", timeout: 90) {
                        try await Self.installState(server, bench, unreachable)["status"] as? String == "failed"
                    }
                }
                let probe = try await Self.installState(server, bench, unreachable)
                #expect(probe["failedStage"] as? String == "flashing", "\(probe.text)\n\(closed.log)")
                #expect((probe["log"] as? String ?? "").contains("target extended-remote"), "\(probe.text)")
                closed.signal(SIGTERM)
                _ = await closed.waitForExit()

                // A firmware that never boots: flashing works, the boot line never comes.
                let work = bench.work
                let silent = try await BlockingThread.run { try EmulatorTools.silentFirmware(in: work) }
                let neverBoots = try await Self.readyInstall(server, bench, replacingFirmwareWith: silent)
                let patient = try Self.bridge(server, bench, bootTimeout: 3)
                try await Self.waitFor("the silent firmware to fail verifying") {
                    try await Self.installState(server, bench, neverBoots)["status"] as? String == "failed"
                }
                let boot = try await Self.installState(server, bench, neverBoots)
                #expect(boot["failedStage"] as? String == "verifying", "\(boot.text)")
                #expect((boot["error"] as? String ?? "").contains("did not report its firmware"), "\(boot.text)")
                #expect((boot["log"] as? String ?? "").contains("matched"), "flashing itself worked: \(boot.text)")
                patient.signal(SIGTERM)
                _ = await patient.waitForExit()

                // The bridge is killed while it waits for the board: the install fails when its lease
                // runs out instead of staying in progress.
                let orphan = try await Self.readyInstall(server, bench, replacingFirmwareWith: silent)
                let doomed = try Self.bridge(server, bench, bootTimeout: 120)
                try await Self.waitFor("verifying", log: doomed) {
                    try await Self.installState(server, bench, orphan)["status"] as? String == "verifying"
                }
                doomed.signal(SIGKILL)
                try await Self.waitFor("the lease to expire", timeout: 30) {
                    try await Self.installState(server, bench, orphan)["status"] as? String == "failed"
                }
                let killed = try await Self.installState(server, bench, orphan)
                #expect(
                    killed["failedStage"] as? String == "verifying"
                        && (killed["error"] as? String ?? "").contains("stopped reporting"), "\(killed.text)")

                // A wrong key and a revoked key: the bridge stops at once with the server's reason.
                let wrong = try Self.bridge(server, bench, key: "mnw_not-a-key")
                #expect(await wrong.waitForExit(timeout: 20) == 1)
                #expect(wrong.log.contains("error:"), "\(wrong.log)")
                let revocable = try await server.request(
                    .POST, "/v1/api-keys", token: bench.token,
                    json: ["name": "short", "projectId": bench.project, "permissions": ["bridge"]])
                _ = try await server.request(
                    .DELETE, "/v1/api-keys/\(try #require(revocable["id"] as? String))", token: bench.token)
                let revoked = try Self.bridge(server, bench, key: try #require(revocable["key"] as? String))
                #expect(await revoked.waitForExit(timeout: 20) == 1)
                let device = try await server.request(
                    .GET, "/v1/projects/\(bench.project)/devices/\(bench.device)", token: bench.token)
                #expect(device["installedIterationId"] == nil, "nothing failed was reported as installed")
            }
        }
    }

    /// Requests an install, lets the worker build it, then swaps its firmware for `elf` (as a
    /// broken build would), before any bridge runs.
    static func readyInstall(
        _ server: TestServer, _ bench: Bench, replacingFirmwareWith elf: Data
    ) async throws -> String {
        let id = try await install(server, bench)
        try await server.withWorker {
            try await waitFor("the firmware build") {
                try await installState(server, bench, id)["status"] as? String == "ready"
            }
        }
        let install = try #require(try await DeviceInstall.find(UUID(uuidString: id), on: server.app.db))
        install.firmwareBlobID = try await DatabaseBlobStore(database: server.app.db, references: BlobReferences.all)
            .put(elf).hex
        try await install.save(on: server.app.db)
        return id
    }

    static func scores(_ answer: [String: Any]) -> [String] {
        (answer["scores"] as? [[String: Any]] ?? []).map { "\($0["label"] ?? "")=\($0["score"] ?? "")" }
    }
}
