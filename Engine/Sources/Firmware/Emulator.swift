// Emulator: runs a bare-metal ELF in qemu-system-arm with `-icount shift=0` (deterministic
// virtual time: 1 instruction per ns) and semihosting, until the program exits through
// semihosting or a timeout passes. Used by LatencyProbe. Not the bridge's interactive board:
// no serial input, no gdb stub, no flashing.

import Foundation

public enum Emulator {
    /// Runs `elf` on `machine` and returns what it printed (semihosting and UART0 both go to stdout).
    public static func runToExit(elf: [UInt8], machine: EmulatedMachine, timeout: TimeInterval) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-qemu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("image.elf")
        try Data(elf).write(to: path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["qemu-system-arm"] + arguments(machine: machine) + ["-serial", "stdio", "-kernel", path.path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            throw LatencyProbeError(
                description:
                    "cannot run qemu-system-arm: install the Debian package qemu-system-arm (scripts/install-deps.sh)")
        }
        let deadline = DispatchTime.now() + timeout
        let done = DispatchSemaphore(value: 0)
        let collected = OutputBox()
        DispatchQueue.global().async {
            collected.set(out.fileHandleForReading.readDataToEndOfFile())
            try? out.fileHandleForReading.close()  // now: the Process may outlive this call (see BoardBuild.run)
            done.signal()
        }
        if done.wait(timeout: deadline) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            throw LatencyProbeError(description: "qemu \(machine.machine) did not exit within \(Int(timeout)) s")
        }
        // Not waitUntilExit, which can hang off the main thread: the pipe is at EOF, so qemu is exiting.
        for _ in 0..<500 where process.isRunning { usleep(10_000) }
        let text = String(decoding: collected.get(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw LatencyProbeError(
                description: "qemu \(machine.machine) exited with \(process.terminationStatus): \(text.suffix(1000))")
        }
        return text
    }

    /// qemu-system-arm options for `machine`: deterministic instruction counting, semihosting, no display or monitor.
    public static func arguments(machine: EmulatedMachine) -> [String] {
        [
            "-machine", machine.machine, "-cpu", machine.cpu, "-icount", "shift=0", "-nographic", "-monitor", "none",
            "-semihosting-config", "enable=on,target=native",
        ]
    }
}

final class OutputBox: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.lock(); data = value; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}
