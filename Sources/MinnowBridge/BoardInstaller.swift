// Installs one firmware image on one board and proves it: open the board's serial port first
// (so the boot line printed right after the flash is not lost), discard what was already there,
// flash with the given Flasher, then wait for the board's hello and succeed only when its
// `firmware` equals the expected hash. If the boot line does not come (a USB board that
// printed it before the host re-opened its port), `info` is asked; a port that vanishes while
// the board re-enumerates is re-opened until the deadline. Stage changes go to a callback (the
// CLI posts them to the server). It never reports success on faith, and it does not talk to the
// server, choose the flasher or build firmware.
import Foundation

public enum InstallStage: String, Sendable, Equatable, Codable {
    /// Opening the port and running the flasher.
    case flashing
    /// Waiting for the board to boot and report the firmware it runs.
    case verifying
    case succeeded
    case failed
}

public struct InstallResult: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        /// The board booted the expected firmware; its hello.
        case succeeded(BoardHello)
        /// The install failed at `stage` (`.flashing` or `.verifying`) for `reason`.
        case failed(stage: InstallStage, reason: String)
    }
    public var outcome: Outcome
    /// The whole log: flasher commands and output, then the serial transcript.
    public var log: String
    public var seconds: Double

    public var succeeded: Bool { if case .succeeded = outcome { return true } else { return false } }
    public var hello: BoardHello? { if case .succeeded(let h) = outcome { return h } else { return nil } }
    /// The stage the install reached when it failed (nil on success).
    public var failedStage: InstallStage? { if case .failed(let s, _) = outcome { return s } else { return nil } }
    public var reason: String? { if case .failed(_, let r) = outcome { return r } else { return nil } }
}

public struct BoardInstaller: Sendable {
    public var flasher: any Flasher
    /// Seconds to wait after flashing for the board to report the expected firmware.
    public var bootTimeout: Double
    /// Without a hello for this long after flashing, `info` is sent (and again after as long).
    public var infoProbeInterval: Double
    /// Seconds to keep trying to open the port (before flashing, and when it vanishes after).
    public var openTimeout: Double
    public var baud: Int

    public init(
        flasher: any Flasher, bootTimeout: Double = 15, infoProbeInterval: Double = 3,
        openTimeout: Double = 5, baud: Int = 115_200
    ) {
        self.flasher = flasher
        self.bootTimeout = bootTimeout
        self.infoProbeInterval = infoProbeInterval
        self.openTimeout = openTimeout
        self.baud = baud
    }

    /// Installs `image` on the board at `portPath` and verifies that it runs `expectedFirmware`.
    /// Opens the port before flashing and closes it at the end. Blocks the calling thread; see
    /// the async overload.
    public func install(
        image: FirmwareFile, portPath: String, expectedFirmware: String,
        onStage: @Sendable (InstallStage) -> Void = { _ in }
    ) -> InstallResult {
        let start = Deadline.now()
        onStage(.flashing)
        let connection: BoardConnection
        do {
            connection = BoardConnection(port: try openPort(portPath, timeout: openTimeout))
        } catch {
            let reason = "\(error)"
            onStage(.failed)
            return InstallResult(
                outcome: .failed(stage: .flashing, reason: reason),
                log: header(image, expectedFirmware) + "--- failed at flashing: \(reason)\n",
                seconds: Double(Deadline.now() - start) / 1e9)
        }
        defer { connection.port.close() }
        return install(
            image: image, on: connection, portPath: portPath, expectedFirmware: expectedFirmware,
            onStage: onStage, reportFlashing: false)
    }

    /// Installs `image` through an already open connection, which stays open (so the caller can
    /// go on talking to the board). `portPath` is where to re-open the port if the board
    /// re-enumerates after flashing.
    public func install(
        image: FirmwareFile, on connection: BoardConnection, portPath: String,
        expectedFirmware: String,
        onStage: @Sendable (InstallStage) -> Void = { _ in }
    ) -> InstallResult {
        install(
            image: image, on: connection, portPath: portPath, expectedFirmware: expectedFirmware,
            onStage: onStage, reportFlashing: true)
    }

    private func install(
        image: FirmwareFile, on connection: BoardConnection, portPath: String,
        expectedFirmware: String, onStage: @Sendable (InstallStage) -> Void,
        reportFlashing: Bool
    ) -> InstallResult {
        let start = Deadline.now()
        let expected = expectedFirmware.lowercased()
        var log = header(image, expected)
        let transcriptStart = connection.transcriptMark
        func finish(_ outcome: InstallResult.Outcome) -> InstallResult {
            let lines = connection.transcript(since: transcriptStart)
            if !lines.isEmpty { log += "--- serial \(portPath)\n" + lines.joined(separator: "\n") + "\n" }
            switch outcome {
            case .succeeded(let h): log += "--- succeeded: the board runs firmware \(h.firmware)\n"
            case .failed(let s, let r): log += "--- failed at \(s.rawValue): \(r)\n"
            }
            onStage(outcomeIsSuccess(outcome) ? .succeeded : .failed)
            return InstallResult(outcome: outcome, log: log, seconds: Double(Deadline.now() - start) / 1e9)
        }

        if reportFlashing { onStage(.flashing) }
        do { try connection.drain() } catch { connection.note("before flashing: \(error)") }
        connection.note("flashing with \(flasher.name)")
        do {
            let result = try flasher.flash(image)
            log += result.output
            if !result.output.hasSuffix("\n") { log += "\n" }
            connection.note("flasher finished in \(String(format: "%.2f", result.seconds)) s")
        } catch let error as FlashError {
            log += error.output
            return finish(.failed(stage: .flashing, reason: error.description))
        } catch {
            return finish(.failed(stage: .flashing, reason: "\(error)"))
        }

        onStage(.verifying)
        return finish(verify(connection: connection, portPath: portPath, expected: expected))
    }

    private func header(_ image: FirmwareFile, _ expected: String) -> String {
        "--- install \(image.path) with \(flasher.name) (timeout \(formatSeconds(flasher.timeout))), expecting firmware \(expected.lowercased())\n"
    }

    /// Runs `install` on its own thread, so an async caller does not block the cooperative pool.
    public func install(
        image: FirmwareFile, portPath: String, expectedFirmware: String,
        onStage: @escaping @Sendable (InstallStage) -> Void = { _ in }
    ) async -> InstallResult {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(
                    returning: self.install(
                        image: image, portPath: portPath,
                        expectedFirmware: expectedFirmware, onStage: onStage))
            }
            thread.name = "minnow-install"
            thread.start()
        }
    }

    private func verify(connection: BoardConnection, portPath: String, expected: String) -> InstallResult.Outcome {
        let deadline = Deadline(seconds: bootTimeout)
        let current = connection
        var portGone = false
        var nextProbe = Deadline(seconds: infoProbeInterval)
        while !deadline.expired {
            do {
                let wait = min(deadline.remainingSeconds, max(0.05, nextProbe.remainingSeconds))
                let hello = try current.waitForHello(timeout: wait)
                guard hello.firmware.lowercased() == expected else {
                    return .failed(
                        stage: .verifying,
                        reason:
                            "the board runs firmware \(hello.firmware) (board \(hello.board)), expected \(expected)")
                }
                guard hello.protocolVersion == boardProtocolVersion else {
                    return .failed(
                        stage: .verifying,
                        reason:
                            "the board speaks protocol \(hello.protocolVersion), this bridge speaks \(boardProtocolVersion)"
                    )
                }
                return .succeeded(hello)
            } catch BoardConnectionError.timedOut {
                if deadline.expired { break }
                current.note("no boot line yet; asking info")
                try? current.send(.info)
                nextProbe = Deadline(seconds: infoProbeInterval)
            } catch SerialPortError.disconnected {
                // A USB board re-enumerates after flashing: the port goes away and comes back.
                current.port.close()
                current.note("port gone; waiting for it to come back")
                guard let port = try? openPort(portPath, timeout: deadline.remainingSeconds) else {
                    portGone = true
                    break
                }
                current.replacePort(port)
                current.note("port reopened")
                nextProbe = Deadline(seconds: infoProbeInterval)
            } catch {
                return .failed(stage: .verifying, reason: "\(error)")
            }
        }
        if portGone {
            return .failed(
                stage: .verifying,
                reason:
                    "the serial port \(portPath) went away after flashing and did not come back within \(formatSeconds(bootTimeout))"
            )
        }
        return .failed(
            stage: .verifying,
            reason:
                "the board did not report its firmware within \(formatSeconds(bootTimeout)) after flashing (it did not boot, or does not speak the Minnow board protocol)"
        )
    }

    /// Opens the port, retrying while it does not exist yet (or is busy) until the timeout.
    private func openPort(_ path: String, timeout: Double) throws -> SerialPort {
        let deadline = Deadline(seconds: timeout)
        while true {
            do {
                return try SerialPort(path: path, baud: baud)
            } catch {
                if deadline.expired { throw error }
                usleep(100_000)
            }
        }
    }
}

private func outcomeIsSuccess(_ o: InstallResult.Outcome) -> Bool {
    if case .succeeded = o { return true } else { return false }
}
