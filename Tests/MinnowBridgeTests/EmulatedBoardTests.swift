// End to end on a real emulated board (qemu mps2-an386, blank, flashed through its gdbstub with
// gdb-multiarch, its UART behind a socat pty that a sysfs fixture's /dev/ttyACM0 points at):
// discover it, install firmware, verify the boot hash, talk `info`/`infer`, fail at verifying on
// a hash mismatch, see the unplug; and gdb-remote against a closed port failing at flashing
// within its timeout. Skipped without the tools, failed without them when CI is set.
import XCTest
@testable import MinnowBridge

final class EmulatedBoardTests: XCTestCase {
    let hash = "5eed" + String(repeating: "0123456789abcdef", count: 3) + "0123456789ab"
    var work: String!

    override func setUpWithError() throws {
        work = NSTemporaryDirectory() + "minnow-e2e-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: work)
    }

    func gdbFlasher(_ board: EmulatedBoard, timeout: Double = 30) throws -> any Flasher {
        var options = FlasherOptions()
        options.gdbAddress = board.gdbAddress
        options.timeout = timeout
        return try FlasherFactory.make("gdb-remote", options: options)
    }

    func testDiscoverInstallAndVerifyOnAnEmulatedBoard() throws {
        try requireTools(["qemu-system-arm", "socat", "gdb-multiarch", "arm-none-eabi-gcc"])
        let elf = try TestFirmware.build(firmwareHash: hash, in: work)
        let board = try EmulatedBoard(directory: work)
        defer { board.stop() }

        var boards = SysfsFixture.standardBoards
        boards[0].devLink = board.tty
        let fixture = try SysfsFixture.make(boards: boards)
        defer { fixture.remove() }
        let port = try XCTUnwrap(USBScanner(root: fixture.root).scan().first { $0.identity.profile == "nano33ble" })
        XCTAssertEqual(port.serialNumber, "NANO33BLE0001")

        let stages = StageRecorder()
        let installer = BoardInstaller(flasher: try gdbFlasher(board), bootTimeout: 10)
        let result = installer.install(
            image: FirmwareFile(path: elf), portPath: port.preferredPath,
            expectedFirmware: hash, onStage: { stages.record($0) })
        XCTAssertTrue(result.succeeded, result.log + "\nqemu: " + board.log("qemu.log"))
        XCTAssertEqual(result.hello?.firmware, hash)
        XCTAssertEqual(result.hello?.board, "mps2-an386")
        XCTAssertEqual(result.hello?.kind, .boot)
        XCTAssertEqual(stages.stages, [.flashing, .verifying, .succeeded])
        XCTAssertTrue(result.log.contains("matched"), result.log)
        XCTAssertTrue(result.log.contains("< test firmware: starting"), result.log)
        XCTAssertLessThan(result.seconds, 15)
    }

    func testTalkThenMismatchThenUnplug() throws {
        try requireTools(["qemu-system-arm", "socat", "gdb-multiarch", "arm-none-eabi-gcc"])
        let elf = try TestFirmware.build(firmwareHash: hash, in: work)
        let board = try EmulatedBoard(directory: work)
        defer { board.stop() }

        let connection = BoardConnection(port: try SerialPort(path: board.tty))
        defer { connection.port.close() }
        let installer = BoardInstaller(flasher: try gdbFlasher(board), bootTimeout: 10)
        let first = installer.install(
            image: FirmwareFile(path: elf), on: connection, portPath: board.tty,
            expectedFirmware: hash)
        XCTAssertTrue(first.succeeded, first.log + "\nqemu: " + board.log("qemu.log"))

        XCTAssertEqual(try connection.info().firmware, hash)
        XCTAssertEqual(
            try connection.infer([1, 2, 3, -128], timeout: 5), BoardInference(output: [1, -128], ticks: 42))
        XCTAssertThrowsError(try connection.infer([1], timeout: 5)) { error in
            XCTAssertEqual(error as? BoardConnectionError, .boardError("unknown command"))
        }

        // The same image again, but the server expects another build: verifying must fail.
        let other = String(repeating: "f", count: 64)
        let stages = StageRecorder()
        let second = installer.install(
            image: FirmwareFile(path: elf), on: connection, portPath: board.tty,
            expectedFirmware: other, onStage: { stages.record($0) })
        XCTAssertEqual(second.failedStage, .verifying, second.log)
        XCTAssertTrue(second.reason?.contains("runs firmware \(hash)") ?? false, second.reason ?? "")
        XCTAssertEqual(stages.stages, [.flashing, .verifying, .failed])

        // Unplug: qemu dies, socat exits, the pty master is gone.
        board.killQemu()
        let start = Date()
        XCTAssertThrowsError(try connection.info(timeout: 10)) { error in
            XCTAssertEqual(error as? SerialPortError, .disconnected(path: board.tty), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 3)
    }

    func testTheEmulatedBoardIsDiscoveredAndItsTTYOutlivesAReader() throws {
        try requireTools(["qemu-system-arm", "socat", "gdb-multiarch", "arm-none-eabi-gcc"])
        let elf = try TestFirmware.build(firmwareHash: hash, in: work)
        let board = try EmulatedBoard(directory: work)
        defer { board.stop() }
        let sysfs = work + "/sysfs"
        let serial = EmulatedBoard.randomSerial()
        XCTAssertTrue(serial.hasPrefix("EMU-") && serial.count == 12, serial)
        try board.addToSysfs(root: sysfs, serial: serial)

        let port = try XCTUnwrap(USBScanner(root: sysfs).scan().first)
        XCTAssertEqual(port.serialNumber, serial)
        XCTAssertEqual(port.vidPid, "0d28:0204")
        XCTAssertEqual(port.product, "Emulated MPS2-AN386 (qemu)")

        // Install through the by-id link, then close the port: socat exits and comes back, so a
        // second reader (the next install) finds the tty again and the board still answers.
        let installer = BoardInstaller(flasher: try gdbFlasher(board), bootTimeout: 10)
        let result = installer.install(
            image: FirmwareFile(path: elf), portPath: port.preferredPath, expectedFirmware: hash)
        XCTAssertTrue(result.succeeded, result.log + "\nqemu: " + board.log("qemu.log"))
        // (Reopened at once, the tty may still be the old socat's, going away: retry.)
        let deadline = Date().addingTimeInterval(5)
        var answer: BoardHello?
        var lastError: Error?
        while answer == nil, Date() < deadline {
            do {
                let again = BoardConnection(port: try SerialPort(path: port.preferredPath))
                defer { again.port.close() }
                answer = try again.info(timeout: 5)
            } catch {
                lastError = error
                usleep(50_000)
            }
        }
        XCTAssertEqual(
            answer?.firmware, hash,
            "the tty did not come back: \(String(describing: lastError)) " + board.log("socat.log"))
        XCTAssertTrue(board.qemuRunning)
    }

    func testGDBRemoteToAClosedPortFailsAtFlashingWithinItsTimeout() throws {
        try requireTools(["gdb-multiarch"])
        let elf = try TestELF.temporary()
        defer { try? FileManager.default.removeItem(atPath: elf) }
        let pty = try PtyPair()
        var options = FlasherOptions()
        options.gdbAddress = "127.0.0.1:\(LoopbackPort.free())"
        options.timeout = 6
        let flasher = try FlasherFactory.make("gdb-remote", options: options)
        let start = Date()
        let result = BoardInstaller(flasher: flasher, bootTimeout: 5)
            .install(image: FirmwareFile(path: elf), portPath: pty.slavePath, expectedFirmware: hash)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(result.failedStage, .flashing, result.log)
        XCTAssertLessThan(elapsed, 7.5)
        XCTAssertTrue(result.log.contains("target extended-remote"), result.log)
        XCTAssertTrue(result.reason?.contains("could not reach the board") ?? false, result.reason ?? "")
    }
}
