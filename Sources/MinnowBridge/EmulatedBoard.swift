// A blank emulated Cortex-M board for people and tests without hardware: qemu-system-arm
// (default machine mps2-an386) halted at reset (`-S`, no firmware) with its gdbstub on a free
// local port, to be flashed with the gdb-remote flasher like a board behind a debug probe; and
// its UART0 behind a socat pty at `directory/ttyACM0`. socat connects to qemu's serial server
// at once (releasing qemu's `wait=on`, so the gdbstub comes up), then waits for a reader to open
// the tty (`wait-slave`) before it moves any data: until then what the board prints stays in
// the socket, so a boot line is never lost. When the reader closes the tty socat exits; while
// qemu runs, socat is started again, so the tty stays there like a plugged-in USB port (it is
// gone for a moment after each reader). `killQemu()` "unplugs" the board: socat exits and the
// tty disappears. `addToSysfs` describes it as a USB device (Arm DAPLink 0d28:0204) in a sysfs
// tree for USBScanner and `minnow bridge --sysfs-root`.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public enum EmulatedBoardError: Error, Equatable, CustomStringConvertible, Sendable {
    /// qemu-system-arm or socat is not on PATH.
    case missingTools([String])
    /// qemu or socat exited, or the tty did not appear; the message carries their logs.
    case didNotStart(String)

    public var description: String {
        switch self {
        case .missingTools(let tools):
            return "an emulated board needs \(tools.joined(separator: " and ")), not found on PATH "
                + "(Debian/Ubuntu: apt-get install qemu-system-arm socat)"
        case .didNotStart(let message):
            return "the emulated board did not start: \(message)"
        }
    }
}

public final class EmulatedBoard: @unchecked Sendable {
    /// The USB identity `addToSysfs` gives the board: an Arm DAPLink, which the board table does
    /// not name, so the user assigns the profile (`mps2-an386`) when registering the device.
    public static let usbVendorID: UInt16 = 0x0d28
    public static let usbProductID: UInt16 = 0x0204
    public static let usbManufacturer = "Minnow"
    public static let usbProduct = "Emulated MPS2-AN386 (qemu)"
    /// The board profile to register the device with.
    public static let profile = "mps2-an386"
    /// The tools it runs.
    public static let requiredTools = ["qemu-system-arm", "socat"]

    /// The directory holding the tty link and the logs.
    public let directory: String
    /// The pty link that is the board's serial port (`directory/ttyACM0`).
    public let tty: String
    public let gdbPort: Int
    let serialPort: Int

    private let lock = NSLock()
    private var qemu: Child?
    private var socat: Child?
    private var stopped = false
    private var unplugged = false

    /// Starts a blank board; returns once the tty exists. Throws `EmulatedBoardError`.
    public init(directory: String, machine: String = "mps2-an386", cpu: String = "cortex-m4") throws {
        let missing = EmulatedBoard.missingTools()
        guard missing.isEmpty else { throw EmulatedBoardError.missingTools(missing) }
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        gdbPort = LoopbackPort.free()
        var s = LoopbackPort.free()
        while s == gdbPort { s = LoopbackPort.free() }
        serialPort = s
        tty = directory + "/ttyACM0"
        unlink(tty)
        let q = try spawn(
            "qemu-system-arm",
            [
                "-machine", machine, "-cpu", cpu, "-icount", "shift=0,sleep=on", "-nographic",
                "-monitor", "none", "-S", "-gdb", "tcp:127.0.0.1:\(gdbPort)",
                "-serial", "tcp:127.0.0.1:\(serialPort),server=on,wait=on",
            ], log: "qemu.log")
        lock.withLock { qemu = q }
        try startSocat()
        let deadline = Date().addingTimeInterval(10)
        // A probe connection to the gdbstub is harmless: qemu keeps serving gdb after a client leaves.
        while !FileManager.default.fileExists(atPath: tty) || !LoopbackPort.isListening(gdbPort) {
            let alive = lock.withLock { (qemu?.isRunning ?? false) && (socat?.isRunning ?? false) }
            guard Date() < deadline, alive else {
                let logs = ["qemu.log", "socat.log"].compactMap { name -> String? in
                    let text = log(name).trimmingCharacters(in: .whitespacesAndNewlines)
                    return text.isEmpty ? nil : text
                }.joined(separator: "; ")
                stop()
                throw EmulatedBoardError.didNotStart(
                    logs.isEmpty ? "qemu or socat exited, or no tty within 10 s" : logs)
            }
            usleep(20_000)
        }
    }

    deinit { stop() }

    /// The gdbstub, `127.0.0.1:PORT` (the gdb-remote flasher's `gdb` setting).
    public var gdbAddress: String { "127.0.0.1:\(gdbPort)" }

    public var qemuRunning: Bool { lock.withLock { qemu?.isRunning ?? false } }

    /// Kills qemu: the board is unplugged (socat exits, the tty goes away and is not brought back).
    public func killQemu() {
        let (q, pty): (Child?, Child?) = lock.withLock {
            unplugged = true; return (qemu, socat)
        }
        q?.kill(SIGKILL)
        q?.waitUntilExit()
        // A socat with no reader yet is still waiting for one and would not notice.
        pty?.kill(SIGTERM)
    }

    /// Stops socat and qemu (TERM, then KILL after 2 s). The directory is left as it is.
    public func stop() {
        let running: [Child] = lock.withLock {
            stopped = true
            defer { socat = nil; qemu = nil }
            return [socat, qemu].compactMap { $0 }
        }
        for p in running where p.isRunning {
            p.kill(SIGTERM)
            let deadline = Date().addingTimeInterval(2)
            while p.isRunning && Date() < deadline { usleep(10_000) }
            if p.isRunning { p.kill(SIGKILL); p.waitUntilExit() }
        }
        // socat removes its link when it is terminated, not when it is killed.
        if !running.isEmpty, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: tty),
            !FileManager.default.fileExists(atPath: target)
        {
            unlink(tty)
        }
    }

    /// A log in the directory: "qemu.log" or "socat.log" ("" when absent).
    public func log(_ name: String) -> String {
        (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? ""
    }

    /// Describes the board as a USB device (`usbVendorID`:`usbProductID`, `usbManufacturer`,
    /// `usbProduct`, the given serial number) at `name` in a sysfs tree under `root`, with
    /// /dev/<name> pointing at `tty`. Returns the device path under root.
    @discardableResult
    public func addToSysfs(
        root: String, serial: String = EmulatedBoard.randomSerial(), name: String = "ttyACM0",
        usbPath: String = "1-1"
    ) throws -> String {
        try SysfsTree.addBoard(
            root: root, name: name, tty: tty, vid: Self.usbVendorID, pid: Self.usbProductID,
            serial: serial, manufacturer: Self.usbManufacturer, product: Self.usbProduct,
            usbPath: usbPath)
    }

    /// `EMU-` and 8 random hex digits.
    public static func randomSerial() -> String {
        "EMU-" + String(format: "%08x", UInt32.random(in: 0...UInt32.max))
    }

    /// The `requiredTools` not found on PATH.
    public static func missingTools(searchPath: String? = nil) -> [String] {
        let runner = ProcessRunner(searchPath: searchPath)
        return requiredTools.filter { runner.locate($0) == nil }
    }

    // MARK: - Processes

    private func startSocat() throws {
        let p = try spawn(
            "socat",
            [
                "TCP:127.0.0.1:\(serialPort),retry=100,interval=0.1",
                "PTY,link=\(tty),raw,echo=0,wait-slave,pty-interval=0.02",
            ], log: "socat.log"
        ) { [weak self] in self?.socatExited() }
        let late = lock.withLock { () -> Bool in
            if stopped { return true }
            socat = p
            return false
        }
        if late { p.kill(SIGTERM) }
    }

    /// socat ends when the reader closes the tty; bring the port back while the board is plugged in.
    private func socatExited() {
        usleep(20_000)
        let again = lock.withLock { !stopped && !unplugged && (qemu?.isRunning ?? false) }
        guard again else { return }
        do { try startSocat() } catch {
            appendLog("socat.log", "minnow: cannot restart socat: \(error)\n")
        }
    }

    private func spawn(
        _ tool: String, _ arguments: [String], log: String,
        onExit: (@Sendable () -> Void)? = nil
    ) throws -> Child {
        guard let executable = ProcessRunner().locate(tool) else { throw EmulatedBoardError.missingTools([tool]) }
        return try Child(executable: executable, arguments: arguments, log: directory + "/" + log, onExit: onExit)
    }

    private func appendLog(_ name: String, _ text: String) {
        guard let h = FileHandle(forWritingAtPath: directory + "/" + name) else { return }
        h.seekToEndOfFile()
        h.write(Data(text.utf8))
        try? h.close()
    }
}

/// A child process started with posix_spawn in its own process group, stdin from /dev/null and
/// stdout+stderr appended to a log, with default signal dispositions and an empty signal mask
/// (a caller that ignores SIGINT/SIGTERM, or runs on a thread that blocks them, must not pass
/// that on, or the child could not be stopped). A thread waits for it and calls `onExit`.
final class Child: @unchecked Sendable {
    let pid: pid_t
    private let lock = NSLock()
    private var exited = false
    private let done = DispatchSemaphore(value: 0)

    init(executable: String, arguments: [String], log: String, onExit: (@Sendable () -> Void)?) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        posix_spawnattr_setpgroup(&attr, 0)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attr, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw EmulatedBoardError.didNotStart("cannot start \(executable): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
        let child = pid
        let waiter = Thread { [self] in
            var status: Int32 = 0
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
            lock.withLock { exited = true }
            done.signal()
            onExit?()
        }
        waiter.start()
    }

    var isRunning: Bool { lock.withLock { !exited } }

    func kill(_ signal: Int32) {
        if isRunning { _ = Glibc.kill(pid, signal) }
    }

    func waitUntilExit() {
        guard isRunning else { return }
        done.wait()
        done.signal()
    }
}
