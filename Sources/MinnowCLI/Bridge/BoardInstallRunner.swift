// Carries out one claimed install on the bridge: downloads the firmware the worker built,
// flashes it with the board's tool and verifies the boot line's hash (`BoardInstaller`),
// reporting each stage to the server as it happens (which renews the claim), then the
// outcome with the whole log. After a success it runs the iteration's check inputs on the
// board and posts its raw outputs as observations (the server compares them with its own).
import APITypes
import Foundation
import MinnowBridge
import OpenAPIRuntime
import Synchronization

struct BoardInstallRunner: Sendable {
    let client: Client
    let projectID: String
    let bridgeName: String
    let flasherName: String?
    let flasherSettings: [String]
    let bootTimeout: Double
    let checkCount: Int

    /// The flasher a board profile uses when none is given.
    static let defaultFlashers = [
        "mps2-an386": "gdb-remote", "nano33ble": "bossac", "pico": "uf2-copy", "nucleo-l4r5zi": "openocd",
        "portenta-h7": "dfu-util", "esp32-s3": "esptool",
    ]

    /// Performs the install and returns a one-line outcome for the agent's log.
    func perform(_ claimed: Components.Schemas.BridgeInstall) async -> String {
        let install = claimed.install
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-bridge-\(install.id)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let prepared: (flasher: any Flasher, image: FirmwareFile, port: String)
        do {
            prepared = try await prepare(claimed, in: directory)
        } catch {
            let reason = BridgeAgent.cliFailure(in: error)?.message ?? "\(error)"
            await report(
                install.id,
                .init(stage: .failed, log: "--- before flashing: \(reason)\n", error: reason, failedStage: .flashing))
            return "failed before flashing: \(reason)"
        }
        // Each stage is reported as it starts, and again every third of the lease while it
        // lasts (a slow flasher or a board slow to boot), so the claim never lapses while the
        // bridge is alive.
        let stages = AsyncStream<InstallStage>.makeStream()
        let current = CurrentStage()
        let poster = Task {
            for await stage in stages.stream where stage == .flashing || stage == .verifying {
                let reported: Components.Schemas.InstallProgress.StagePayload =
                    stage == .flashing ? .flashing : .verifying
                current.value.withLock { $0 = reported }
                await report(install.id, .init(stage: reported))
            }
        }
        let keepalive = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(max(1, claimed.leaseSeconds / 3)))
                if Task.isCancelled { return }
                if let stage = current.value.withLock({ $0 }) { await report(install.id, .init(stage: stage)) }
            }
        }
        defer { keepalive.cancel() }
        let runner = self
        let (result, checks) = await onThread { () -> (InstallResult, [Components.Schemas.ObservationCreate]) in
            runner.installAndCheck(claimed, prepared: prepared) { stages.continuation.yield($0) }
        }
        stages.continuation.finish()
        await poster.value
        keepalive.cancel()
        if let hello = result.hello {
            await report(
                install.id,
                .init(
                    stage: .succeeded, log: result.log, reportedFirmwareHash: hello.firmware,
                    reportedModelHash: hello.model))
            if !checks.isEmpty {
                _ = try? await client.createObservations(
                    path: .init(projectId: projectID, deviceId: claimed.device.id), body: .json(.init(items: checks)))
            }
            return
                "succeeded: firmware \(hello.firmware.prefix(12)) booted; \(checks.count) check input(s) run on the board"
        }
        let stage: Components.Schemas.InstallStage = result.failedStage == .verifying ? .verifying : .flashing
        await report(install.id, .init(stage: .failed, log: result.log, error: result.reason, failedStage: stage))
        return "failed while \(stage.rawValue): \(result.reason ?? "")"
    }

    private func prepare(
        _ claimed: Components.Schemas.BridgeInstall, in directory: URL
    ) async throws -> (flasher: any Flasher, image: FirmwareFile, port: String) {
        guard let port = claimed.device.port else {
            throw CLIFailure(
                "this bridge does not see \(claimed.device.name) (USB serial \(claimed.device.usb?.serialNumber ?? "unknown")) on any port"
            )
        }
        let profile = claimed.device.profile ?? ""
        guard let name = flasherName ?? Self.defaultFlashers[profile] else {
            throw CLIFailure("no flasher for board profile \"\(profile)\"; start the bridge with --flasher")
        }
        var options = FlasherOptions()
        options.port = port
        for setting in flasherSettings {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            try options.set(parts[0], parts.count > 1 ? parts[1] : "")
        }
        let flasher = try FlasherFactory.make(name, options: options)
        let body = try await client.downloadInstallFirmware(
            path: .init(projectId: projectID, bridgeName: bridgeName, installId: claimed.install.id)
        ).ok.body.binary
        let elf = try await Data(collecting: body, upTo: 64 << 20)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("firmware.elf")
        try elf.write(to: file)
        return (flasher, FirmwareFile(path: file.path), port)
    }

    /// Blocking: flash and verify on one open connection, then run the check inputs on it.
    private func installAndCheck(
        _ claimed: Components.Schemas.BridgeInstall,
        prepared: (flasher: any Flasher, image: FirmwareFile, port: String),
        onStage: @escaping @Sendable (InstallStage) -> Void
    ) -> (InstallResult, [Components.Schemas.ObservationCreate]) {
        let installer = BoardInstaller(flasher: prepared.flasher, bootTimeout: bootTimeout)
        guard let port = try? SerialPort(path: prepared.port) else {
            // The installer opens the port itself, retrying, and reports why it cannot.
            return (
                installer.install(
                    image: prepared.image, portPath: prepared.port, expectedFirmware: claimed.firmwareHash,
                    onStage: onStage), []
            )
        }
        let connection = BoardConnection(port: port)
        defer { connection.port.close() }
        let result = installer.install(
            image: prepared.image, on: connection, portPath: prepared.port,
            expectedFirmware: claimed.firmwareHash, onStage: onStage)
        guard result.succeeded, checkCount > 0 else { return (result, []) }
        return (result, runChecks(claimed, on: connection))
    }

    private func runChecks(
        _ claimed: Components.Schemas.BridgeInstall, on connection: BoardConnection
    ) -> [Components.Schemas.ObservationCreate] {
        let inputs =
            blockingCall {
                try await client.getInstallCheckInputs(
                    path: .init(projectId: projectID, bridgeName: bridgeName, installId: claimed.install.id),
                    query: .init(count: checkCount)
                ).ok.body.json.items
            } ?? []
        return inputs.compactMap { check in
            guard let input = Self.bytes(hex: check.inputHex), let answer = try? connection.infer(input) else {
                return nil
            }
            return .init(
                imageId: check.imageId, output: answer.output.map(Int.init), ticks: Int(answer.ticks),
                observedAt: Date())
        }
    }

    private func report(_ installID: String, _ progress: Components.Schemas.InstallProgress) async {
        do {
            _ = try await client.reportInstallProgress(
                path: .init(projectId: projectID, bridgeName: bridgeName, installId: installID),
                body: .json(progress)
            ).ok
        } catch {
            say(
                "install \(installID): cannot report \(progress.stage.rawValue): \(BridgeAgent.cliFailure(in: error)?.message ?? "\(error)")"
            )
        }
    }

    static func bytes(hex: String) -> [Int8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        return stride(from: 0, to: digits.count, by: 2).compactMap { index in
            UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16).map { Int8(bitPattern: $0) }
        }
    }
}

/// The stage an install is in, shared by the task that reports stages and the keepalive.
private final class CurrentStage: Sendable {
    let value = Mutex<Components.Schemas.InstallProgress.StagePayload?>(nil)
}

/// Runs blocking work (serial I/O, flashing tools) on a thread of its own.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}

/// Calls async code from a blocking thread (never from the cooperative pool).
func blockingCall<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> T? {
    let semaphore = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        box.value = try? await body()
        semaphore.signal()
    }
    semaphore.wait()
    return box.value
}

private final class ResultBox<T>: @unchecked Sendable {  // written once before the semaphore is signalled
    var value: T?
}
