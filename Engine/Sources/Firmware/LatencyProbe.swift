// LatencyProbe: measures instructions per inference of a generated C library on an emulated
// core. The library is linked into a small semihosting harness (startup.c, the 32-bit TIMER0
// counter of ticks.h) for the CPU's qemu machine (M0/M0+ → microbit, M3 → mps2-an385,
// M4 → mps2-an386, M7 → mps2-an500) and run once under `qemu-system-arm -icount shift=0`,
// where the virtual clock advances exactly 1 ns per instruction. These are instructions, a
// lower bound on cycles: qemu models no pipeline, wait states or caches. Not a benchmark of
// real silicon; results are deterministic for the same source, flags and input.

import Foundation

/// One measured inference.
public struct LatencyMeasurement: Sendable, Codable, Equatable {
    /// Instructions the emulated core executed in the model's invoke.
    public var instructions: Int
    /// Tick counter ticks at the machine's clock (instructions = ticks × 10⁹ / clock).
    public var ticks: Int
    /// qemu machine and the core it emulates, e.g. "mps2-an386", "Cortex-M4".
    public var machine: String
    public var core: String
    /// The model's int8 output for the probe's input.
    public var output: [Int8]
}

public struct LatencyProbeError: Error, CustomStringConvertible {
    public var description: String
}

public enum LatencyProbe {
    /// True when qemu-system-arm, arm-none-eabi-gcc and newlib are installed.
    public static var available: Bool {
        BoardBuild.compilerAvailable("qemu-system-arm") && FirmwareBuilder.missingToolchain() == nil
    }

    /// The input the model card's measurement uses: a fixed, deterministic byte pattern.
    public static func probeInput(count: Int) -> [Int8] {
        (0..<count).map { Int8(truncatingIfNeeded: ($0 &* 37 &+ 11) & 0xFF) }
    }

    /// Measures `library` compiled with `flags` on `machine`, running `input` (default: probeInput).
    /// A model too big for the micro:bit's 16 KB RAM is measured as the same ARMv6-M code on an
    /// emulated Cortex-M3 (mps2-an385), which executes the same instruction stream.
    public static func measure(
        _ library: CLibrary, flags: [String], machine: EmulatedMachine, input: [Int8]? = nil,
        timeout: TimeInterval = 120
    ) throws -> LatencyMeasurement {
        let key = SHA256.hex(
            library.source + library.header + flags.joined(separator: " ") + machine.machine
                + (input.map { BoardCommandHex.encode($0) } ?? "probe"))
        if let cached = cache.value(key) { return cached }
        let harness = self.harness(library, input: input ?? probeInput(count: library.inputSize))
        var files = [
            library.headerFileName: library.header, library.sourceFileName: library.source,
            "probe.c": harness, "startup.c": BareMetal.startup,
            "ticks.h": BareMetal.tickCounter(for: machine), "link.ld": BareMetal.linkerScript(for: machine),
        ]
        let allFlags = flags + FirmwareBuilder.commonFlags
        var target = machine
        let elf: [UInt8]
        do {
            elf = try FirmwareBuilder.compileAndLink(files: files, flags: allFlags, compiler: "arm-none-eabi-gcc").bytes
        } catch let error as FirmwareBuildError where machine == .microbit && error.description.contains("overflowed") {
            target = .mps2AN385
            files["link.ld"] = BareMetal.linkerScript(for: target)
            files["ticks.h"] = BareMetal.tickCounter(for: target)
            elf = try FirmwareBuilder.compileAndLink(files: files, flags: allFlags, compiler: "arm-none-eabi-gcc").bytes
        }
        let output = try Emulator.runToExit(elf: elf, machine: target, timeout: timeout)
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("minnow-probe ") }) else {
            throw LatencyProbeError(
                description: "the probe printed no result on \(target.machine): \(output.suffix(500))")
        }
        var ticks = 0, values: [Int8] = []
        for field in line.split(separator: " ").dropFirst() {
            if field.hasPrefix("ticks=") { ticks = Int(field.dropFirst(6)) ?? 0 }
            if field.hasPrefix("output=") { values = BoardCommandHex.decode(String(field.dropFirst(7))) ?? [] }
        }
        let result = LatencyMeasurement(
            instructions: Int((Double(ticks) * target.instructionsPerTick).rounded()), ticks: ticks,
            machine: target.machine, core: target == machine ? machine.core : "\(machine.core) code on \(target.core)",
            output: values)
        cache.store(key, result)
        return result
    }

    /// `probe.c`: one inference between two tick counter reads, reported through semihosting, then exit.
    static func harness(_ library: CLibrary, input: [Int8]) -> String {
        let n = library.name, upper = n.uppercased()
        let values = stride(from: 0, to: input.count, by: 32).map { start in
            "    " + input[start..<min(start + 32, input.count)].map { "\($0)" }.joined(separator: ", ") + ","
        }.joined(separator: "\n")
        return #"""
            /* probe.c: instructions per inference of \#(n) under qemu -icount shift=0 (semihosting output). */
            #include <stdint.h>
            #include "\#(n).h"
            #include "ticks.h"

            static const int8_t input[\#(upper)_INPUT_SIZE] = {
            \#(values)
            };
            static int8_t output[\#(upper)_OUTPUT_SIZE];
            static char text[64 + 2 * \#(upper)_OUTPUT_SIZE];

            static int semihost(int operation, const void *argument) {
                register int r0 __asm("r0") = operation;
                register const void *r1 __asm("r1") = argument;
                __asm volatile ("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
                return r0;
            }

            static char *put(char *p, const char *s) { while (*s) *p++ = *s++; return p; }

            int main(void) {
                static const char digits[] = "0123456789abcdef";
                uint32_t start, elapsed;
                char number[21], *p = text;
                int k, n = 0;
                mn_counter_start();
                \#(n)_init();
                start = mn_counter_read();
                \#(n)_invoke(input, output);
                elapsed = mn_counter_read() - start;
                p = put(p, "minnow-probe ticks=");
                do { number[n++] = (char)('0' + (int)(elapsed % 10u)); elapsed /= 10u; } while (elapsed);
                while (n) *p++ = number[--n];
                p = put(p, " output=");
                for (k = 0; k < \#(upper)_OUTPUT_SIZE; ++k) {
                    *p++ = digits[(uint8_t)output[k] >> 4];
                    *p++ = digits[(uint8_t)output[k] & 15];
                }
                p = put(p, "\n");
                *p = 0;
                semihost(0x04, text);             /* SYS_WRITE0 */
                semihost(0x18, (void *)0x20026);  /* SYS_EXIT, ADP_Stopped_ApplicationExit */
                return 0;
            }

            """#
    }

    static let cache = MeasurementCache()
}

/// Measurements by source, flags, machine and input, so boards sharing a CPU measure once per process.
final class MeasurementCache: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: LatencyMeasurement] = [:]
    func value(_ key: String) -> LatencyMeasurement? { lock.lock(); defer { lock.unlock() }; return values[key] }
    func store(_ key: String, _ value: LatencyMeasurement) { lock.lock(); values[key] = value; lock.unlock() }
}

/// Two hex characters per int8 byte.
enum BoardCommandHex {
    static func encode(_ bytes: [Int8]) -> String {
        bytes.map {
            let u = UInt8(bitPattern: $0); return (u < 16 ? "0" : "") + String(u, radix: 16)
        }.joined()
    }

    static func decode(_ text: String) -> [Int8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var result: [Int8] = []
        for i in stride(from: 0, to: chars.count, by: 2) {
            guard let byte = UInt8(String(decoding: chars[i..<(i + 2)], as: UTF8.self), radix: 16) else { return nil }
            result.append(Int8(bitPattern: byte))
        }
        return result
    }
}
