// `minnow emulator`: a board for people without hardware. Starts a blank emulated Cortex-M4
// (qemu mps2-an386, halted, gdbstub on a free local port, its UART behind a socat pty),
// describes it as a USB device in a sysfs tree that `minnow bridge --sysfs-root` scans, prints
// how to register it and run the bridge, and runs until SIGINT or SIGTERM; then it stops qemu
// and socat and removes what it created. No server is involved.
import ArgumentParser
import Foundation
import MinnowBridge
import MinnowCore
import MinnowServer

struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run an emulated board (qemu mps2-an386) that a bridge can discover and install models on.",
        discussion: """
            The board starts blank, like a new board behind a debug probe: the bridge flashes it \
            through qemu's gdb server (gdb-remote flasher, needs gdb-multiarch) and reads it on a \
            pty. It appears as USB device 0d28:0204 (Arm DAPLink) with the given serial number in \
            DIR/sysfs; register it with profile mps2-an386. Needs qemu-system-arm and socat \
            (Debian/Ubuntu: apt-get install qemu-system-arm socat gdb-multiarch). Ctrl-C stops it.

            Example: minnow emulator --dir /tmp/emu
                     minnow devices create bench --project pets \\
                       --profile mps2-an386 --usb-serial EMU-1a2b3c4d
                     MINNOW_TOKEN=mnw_... minnow bridge --project pets \\
                       --sysfs-root /tmp/emu/sysfs --gdb 127.0.0.1:40123
            """)

    @Option(
        help:
            "Directory for the tty, the sysfs tree and the logs (default: a new temporary directory, removed on exit; a given one keeps its logs)."
    )
    var dir: String?
    @Option(help: "The board's USB serial number (default: EMU- and 8 random hex digits).")
    var serial: String?
    @Flag(help: "Print one JSON object (serial, tty, sysfsRoot, gdb, directory, profile, vidPid) instead of text.")
    var json = false

    func validate() throws {
        if let serial, serial.isEmpty || serial.contains(where: { $0.isWhitespace || $0 == "/" }) {
            throw ValidationError("--serial must be non-empty, without spaces or slashes.")
        }
    }

    struct Summary: Encodable {
        let serial: String
        let tty: String
        let sysfsRoot: String
        let gdb: String
        let directory: String
        let profile: String
        let vidPid: String
    }

    func run() async throws {
        let missing = EmulatedBoard.missingTools()
        guard missing.isEmpty else { throw CLIFailure(EmulatedBoardError.missingTools(missing).description) }

        // Signals are handled from the start, so Ctrl-C while qemu starts still cleans up.
        let stop = StopSignal()
        let sources = TerminationSignals.handle { stop.set() }
        defer { sources.forEach { $0.cancel() } }

        let directory: String
        let created: Bool
        if let dir {
            directory = URL(fileURLWithPath: dir).standardizedFileURL.path
            created = false
        } else {
            directory = NSTemporaryDirectory() + "minnow-emulator-" + UUID().uuidString.prefix(8).lowercased()
            created = true
        }
        let sysfsRoot = directory + "/sysfs"
        func cleanUp() {
            if created {
                try? FileManager.default.removeItem(atPath: directory)
            } else {
                try? FileManager.default.removeItem(atPath: sysfsRoot)
            }
        }

        let board: EmulatedBoard
        let serialNumber = serial ?? EmulatedBoard.randomSerial()
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            board = try EmulatedBoard(directory: directory)
            try? FileManager.default.removeItem(atPath: sysfsRoot)
            try board.addToSysfs(root: sysfsRoot, serial: serialNumber)
        } catch let error as EmulatedBoardError {
            cleanUp()
            throw CLIFailure(error.description)
        } catch {
            cleanUp()
            throw CLIFailure("cannot set up the emulated board in \(directory): \(error.localizedDescription)")
        }

        let summary = Summary(
            serial: serialNumber, tty: board.tty, sysfsRoot: sysfsRoot, gdb: board.gdbAddress,
            directory: directory, profile: EmulatedBoard.profile,
            vidPid: String(format: "%04x:%04x", EmulatedBoard.usbVendorID, EmulatedBoard.usbProductID))
        if json {
            try Output.jsonLine(summary)
        } else {
            print(
                """
                Emulated Cortex-M4 board (qemu \(EmulatedBoard.profile)) running, blank, waiting to be flashed.
                  USB serial  \(serialNumber)   (register it: minnow devices create bench --project PROJECT --profile \(EmulatedBoard.profile) --usb-serial \(serialNumber))
                  gdb server  \(board.gdbAddress)
                  bridge      MINNOW_TOKEN=<bridge key> minnow bridge --project PROJECT --sysfs-root \(sysfsRoot) --gdb \(board.gdbAddress)
                  logs        \(directory)/qemu.log, socat.log
                Ctrl-C stops it.
                """)
        }
        fflush(nil)

        var qemuExited = false
        while !stop.isSet {
            if !board.qemuRunning {
                // A terminal's Ctrl-C reaches qemu too; give our own signal a moment to arrive.
                try? await Task.sleep(for: .milliseconds(300))
                qemuExited = !stop.isSet
                break
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        board.stop()
        let qemuLog = board.log("qemu.log").split(separator: "\n").suffix(3).joined(separator: " | ")
        cleanUp()
        if qemuExited {
            throw CLIFailure("qemu exited" + (qemuLog.isEmpty ? "" : ": \(qemuLog)"))
        }
        if !json { print("Stopped the emulated board.") }
    }
}

/// Set once from a signal handler, read by the run loop.
final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
