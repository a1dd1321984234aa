// The installer's verification logic with a scripted flasher and a pty "board": success only on
// the expected firmware hash, a wrong hash, a silent board, a board answering `info` after its
// boot line was lost, a stale boot line from before the flash (must not count), a failing
// flasher and a missing port — each with its stage, its stage callbacks and its log.
import XCTest
@testable import MinnowBridge

/// A flasher that "boots" the pty board by writing lines on its master side.
struct ScriptedFlasher: Flasher {
    let name = "scripted"
    let timeout = 5.0
    var pty: PtyPair
    var bootLines: [String]
    var error: FlashError?

    func flash(_ image: FirmwareFile) throws -> FlashResult {
        if let error { throw error }
        for line in bootLines { pty.send(line + "\r\n") }
        return FlashResult(commands: ["scripted \(image.path)"], output: "scripted flash ok\n", seconds: 0.01)
    }
}

final class StageRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [InstallStage] = []
    func record(_ s: InstallStage) { lock.withLock { list.append(s) } }
    var stages: [InstallStage] { lock.withLock { list } }
}

final class BoardInstallerTests: XCTestCase {
    let good = String(repeating: "a1", count: 32)
    let other = String(repeating: "b2", count: 32)

    func install(
        _ flasher: ScriptedFlasher, port: String, expected: String, bootTimeout: Double = 2,
        stages: StageRecorder = StageRecorder()
    ) -> InstallResult {
        let installer = BoardInstaller(
            flasher: flasher, bootTimeout: bootTimeout, infoProbeInterval: 0.3, openTimeout: 0.5)
        return installer.install(
            image: FirmwareFile(path: "/fw.elf"), portPath: port, expectedFirmware: expected,
            onStage: { stages.record($0) })
    }

    func testSucceedsOnTheExpectedBootLine() throws {
        let pty = try PtyPair()
        let stages = StageRecorder()
        let flasher = ScriptedFlasher(pty: pty, bootLines: ["rom boot", helloLine("boot", firmware: good)])
        let result = install(flasher, port: pty.slavePath, expected: good.uppercased(), stages: stages)
        XCTAssertTrue(result.succeeded, result.log)
        XCTAssertEqual(result.hello?.firmware, good)
        XCTAssertEqual(stages.stages, [.flashing, .verifying, .succeeded])
        XCTAssertTrue(result.log.contains("scripted flash ok"))
        XCTAssertTrue(result.log.contains("< rom boot"))
        XCTAssertTrue(result.log.contains("--- succeeded"))
    }

    func testAWrongHashFailsAtVerifying() throws {
        let pty = try PtyPair()
        let stages = StageRecorder()
        let flasher = ScriptedFlasher(pty: pty, bootLines: [helloLine("boot", firmware: other)])
        let start = Date()
        let result = install(flasher, port: pty.slavePath, expected: good, bootTimeout: 5, stages: stages)
        XCTAssertEqual(result.failedStage, .verifying)
        XCTAssertTrue(result.reason!.contains("runs firmware \(other)"), result.reason!)
        XCTAssertEqual(stages.stages, [.flashing, .verifying, .failed])
        XCTAssertLessThan(Date().timeIntervalSince(start), 2, "a mismatch fails at once")
    }

    func testASilentBoardFailsAtVerifyingAfterTheTimeout() throws {
        let pty = try PtyPair()
        let start = Date()
        let result = install(
            ScriptedFlasher(pty: pty, bootLines: ["garbage"]), port: pty.slavePath, expected: good, bootTimeout: 1)
        XCTAssertEqual(result.failedStage, .verifying)
        XCTAssertTrue(result.reason!.contains("did not report its firmware within 1 s"))
        XCTAssertTrue(result.log.contains("> info"), "info was asked")
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(elapsed, 1)
        XCTAssertLessThan(elapsed, 3)
    }

    func testALostBootLineIsMadeUpForByInfo() throws {
        let pty = try PtyPair()
        let fw = good
        pty.respond { $0 == "info" ? helloLine("info", firmware: fw) : nil }
        let result = install(ScriptedFlasher(pty: pty, bootLines: []), port: pty.slavePath, expected: good)
        XCTAssertTrue(result.succeeded, result.log)
        XCTAssertEqual(result.hello?.kind, .info)
        pty.closeMaster()
    }

    func testABootLineFromBeforeTheFlashDoesNotCount() throws {
        let pty = try PtyPair()
        let connection = BoardConnection(port: try SerialPort(path: pty.slavePath))
        pty.send(helloLine("boot", firmware: good) + "\n")  // the old firmware, same hash
        usleep(100_000)
        let installer = BoardInstaller(
            flasher: ScriptedFlasher(pty: pty, bootLines: []), bootTimeout: 0.8,
            infoProbeInterval: 5, openTimeout: 0.5)
        let result = installer.install(
            image: FirmwareFile(path: "/fw.elf"), on: connection, portPath: pty.slavePath,
            expectedFirmware: good)
        XCTAssertEqual(result.failedStage, .verifying, result.log)
        XCTAssertTrue(connection.port.isOpen, "a caller's connection stays open")
    }

    func testAFailingFlasherFailsAtFlashingWithItsOutput() throws {
        let pty = try PtyPair()
        let stages = StageRecorder()
        var flasher = ScriptedFlasher(pty: pty, bootLines: [helloLine("boot", firmware: good)])
        flasher.error = .failed(tool: "bossac", exitCode: 1, output: "$ bossac ...\nNo device found on ttyACM0\n")
        let result = install(flasher, port: pty.slavePath, expected: good, stages: stages)
        XCTAssertEqual(result.failedStage, .flashing)
        XCTAssertEqual(result.reason, "bossac failed (exit code 1)")
        XCTAssertTrue(result.log.contains("No device found"))
        XCTAssertEqual(stages.stages, [.flashing, .failed])
    }

    func testAMissingPortFailsAtFlashing() throws {
        let pty = try PtyPair()
        let result = install(ScriptedFlasher(pty: pty, bootLines: []), port: "/nonexistent/ttyACM7", expected: good)
        XCTAssertEqual(result.failedStage, .flashing)
        XCTAssertTrue(result.reason!.contains("cannot open serial port /nonexistent/ttyACM7"))
    }

    func testAsyncInstall() async throws {
        let pty = try PtyPair()
        let installer = BoardInstaller(
            flasher: ScriptedFlasher(pty: pty, bootLines: [helloLine("boot", firmware: good)]),
            bootTimeout: 2)
        let result = await installer.install(
            image: FirmwareFile(path: "/fw.elf"), portPath: pty.slavePath,
            expectedFirmware: good)
        XCTAssertTrue(result.succeeded, result.log)
    }
}

/// A flasher that "re-enumerates" the board: its port vanishes (pty A closed) and comes back at
/// the same path (the symlink now points at pty B), where the new firmware answers `info`.
final class ReenumeratingFlasher: Flasher, @unchecked Sendable {
    let name = "reenumerating"
    let timeout = 5.0
    let link: String
    let before: PtyPair
    let firmware: String
    let comesBack: Bool
    private(set) var after: PtyPair?

    init(link: String, before: PtyPair, firmware: String, comesBack: Bool = true) {
        self.link = link
        self.before = before
        self.firmware = firmware
        self.comesBack = comesBack
    }

    func flash(_ image: FirmwareFile) throws -> FlashResult {
        before.closeMaster()
        try FileManager.default.removeItem(atPath: link)
        usleep(300_000)
        guard comesBack else { return FlashResult(commands: [], output: "gone\n", seconds: 0.3) }
        let pty = try PtyPair()
        let fw = firmware
        pty.respond { $0 == "info" ? helloLine("info", firmware: fw) : nil }
        after = pty
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: pty.slavePath)
        return FlashResult(commands: [], output: "re-enumerated\n", seconds: 0.3)
    }
}

final class BoardReenumerationTests: XCTestCase {
    func testAPortThatVanishesAndComesBackIsReopened() throws {
        let link = NSTemporaryDirectory() + "minnow-byid-\(UUID().uuidString)"
        let first = try PtyPair()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: first.slavePath)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let fw = String(repeating: "c3", count: 32)
        let flasher = ReenumeratingFlasher(link: link, before: first, firmware: fw)
        let result = BoardInstaller(flasher: flasher, bootTimeout: 5, infoProbeInterval: 0.3, openTimeout: 1)
            .install(image: FirmwareFile(path: "/fw.elf"), portPath: link, expectedFirmware: fw)
        XCTAssertTrue(result.succeeded, result.log)
        XCTAssertTrue(result.log.contains("port reopened"), result.log)
        flasher.after?.closeMaster()
    }

    func testAPortThatVanishesForGoodFailsAtVerifying() throws {
        let link = NSTemporaryDirectory() + "minnow-byid-\(UUID().uuidString)"
        let first = try PtyPair()
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: first.slavePath)
        defer { try? FileManager.default.removeItem(atPath: link) }
        let flasher = ReenumeratingFlasher(link: link, before: first, firmware: "", comesBack: false)
        let start = Date()
        let result = BoardInstaller(flasher: flasher, bootTimeout: 1, infoProbeInterval: 0.3, openTimeout: 1)
            .install(
                image: FirmwareFile(path: "/fw.elf"), portPath: link,
                expectedFirmware: String(repeating: "0", count: 64))
        XCTAssertEqual(result.failedStage, .verifying)
        XCTAssertTrue(result.reason?.contains("went away after flashing") ?? false, result.reason ?? "")
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }
}
