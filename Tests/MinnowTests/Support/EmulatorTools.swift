// The emulated board's tools (qemu, socat, gdb, the cross compiler): tests that flash a real
// emulated board are skipped with the reason where they are missing, and fail in CI.
import Foundation
import Testing

enum EmulatorTools {
    static let needed = ["qemu-system-arm", "socat", "gdb-multiarch", "arm-none-eabi-gcc"]

    static var missing: [String] {
        needed.filter { tool in
            !["/usr/bin", "/usr/local/bin", "/bin"].contains {
                FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
            }
        }
    }

    /// True when the tests can run; in CI a missing tool is a failure, elsewhere a skip.
    static var available: Bool {
        if missing.isEmpty { return true }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record("missing \(missing.joined(separator: ", ")): run scripts/install-deps.sh test")
        }
        return false
    }

    /// An ELF for the emulated Cortex-M4 that never prints anything: a vector table and a reset
    /// handler that loops. Flashing it works; the board never says it booted.
    static func silentFirmware(in directory: URL) throws -> Data {
        let source = directory.appendingPathComponent("silent.c"),
            script = directory.appendingPathComponent("silent.ld")
        let elf = directory.appendingPathComponent("silent.elf")
        try """
        void reset(void) { for (;;) {} }
        __attribute__((section(".vectors"), used)) const void *vectors[2] = { (void *)0x20010000, (void *)reset };
        """.write(to: source, atomically: true, encoding: .utf8)
        try "SECTIONS { .text 0x0 : { KEEP(*(.vectors)) *(.text*) } }\n".write(
            to: script, atomically: true, encoding: .utf8)
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/arm-none-eabi-gcc")
        compiler.arguments = [
            "-mcpu=cortex-m4", "-mthumb", "-O1", "-nostdlib", "-T", script.path, source.path, "-o", elf.path,
        ]
        try compiler.run()
        compiler.waitUntilExit()
        try #require(compiler.terminationStatus == 0, "arm-none-eabi-gcc failed on the silent firmware")
        return try Data(contentsOf: elf)
    }
}
