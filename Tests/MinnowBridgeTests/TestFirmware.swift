// Test helper: a tiny firmware for qemu's mps2-an386 that speaks the board protocol (a boot
// line with a given firmware hash on CMSDK UART0 at 0x40004000, then answers `info` and
// `infer <8 hex>` with output [in0, in3]), compiled in the test with arm-none-eabi-gcc, for the
// library's EmulatedBoard. The C source is kept here as text because a Swift test target cannot
// hold C files.
import Foundation
import XCTest
@testable import MinnowBridge
#if canImport(Glibc)
import Glibc
#endif

enum TestFirmware {
    static let source = #"""
        /* Minnow bridge test firmware for qemu mps2-an386: prints a board-protocol boot line on CMSDK
           UART0 and answers `info` and `infer <8 hex>` (output = [in0, in3]). No C library. */
        #include <stdint.h>
        #define UART0_DATA     (*(volatile uint32_t *)0x40004000u)
        #define UART0_STATE    (*(volatile uint32_t *)0x40004004u)
        #define UART0_CTRL     (*(volatile uint32_t *)0x40004008u)
        #define UART0_INTCLEAR (*(volatile uint32_t *)0x4000400Cu)
        #define UART0_BAUDDIV  (*(volatile uint32_t *)0x40004010u)
        #define NVIC_ISER0     (*(volatile uint32_t *)0xE000E100u)
        #define NVIC_ICPR0     (*(volatile uint32_t *)0xE000E280u)
        #ifndef FW_HASH
        #define FW_HASH "0000000000000000000000000000000000000000000000000000000000000000"
        #endif
        #define MODEL_HASH "1111111111111111111111111111111111111111111111111111111111111111"

        static void out(char c) { while (UART0_STATE & 1u) {} UART0_DATA = (uint32_t)(unsigned char)c; }
        static void outs(const char *s) { while (*s) out(*s++); }
        static void outi(int v) {
            char b[12]; int n = 0; unsigned u = v < 0 ? (unsigned)(-v) : (unsigned)v;
            if (v < 0) out('-');
            do { b[n++] = (char)('0' + u % 10u); u /= 10u; } while (u);
            while (n) out(b[--n]);
        }
        static int in(void) {
            while (!(UART0_STATE & 2u)) { __asm volatile ("wfi"); UART0_INTCLEAR = 2u; NVIC_ICPR0 = 1u; }
            return (int)(UART0_DATA & 0xffu);
        }
        static void hello(const char *event) {
            outs("{\"event\":\""); outs(event);
            outs("\",\"protocol\":1,\"firmware\":\"" FW_HASH "\",\"model\":\"" MODEL_HASH
                 "\",\"board\":\"mps2-an386\",\"input\":4,\"output\":2,\"arena\":128,\"clock_hz\":25000000}\n");
        }
        static int hexval(char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }
        static int same(const char *a, const char *b, int n) { for (int i = 0; i < n; i++) if (a[i] != b[i]) return 0; return 1; }

        int main(void) {
            UART0_BAUDDIV = 16u;
            UART0_CTRL = 1u | 2u | 8u;      /* TX, RX, RX interrupt (wakes WFI; PRIMASK keeps it unhandled) */
            __asm volatile ("cpsid i");
            NVIC_ISER0 = 1u;
            outs("test firmware: starting\r\n");
            hello("boot");
            char line[80]; int n = 0;
            for (;;) {
                int c = in();
                if (c == '\r') continue;
                if (c != '\n') { if (n < 79) line[n++] = (char)c; continue; }
                if (n == 4 && same(line, "info", 4)) {
                    hello("info");
                } else if (n == 14 && same(line, "infer ", 6)) {
                    int v[4], ok = 1;
                    for (int i = 0; i < 4; i++) {
                        int h = hexval(line[6 + 2 * i]), l = hexval(line[7 + 2 * i]);
                        if (h < 0 || l < 0) ok = 0; else v[i] = (int)(signed char)(h * 16 + l);
                    }
                    if (ok) { outs("{\"event\":\"inference\",\"output\":["); outi(v[0]); out(','); outi(v[3]); outs("],\"ticks\":42}\n"); }
                    else outs("{\"event\":\"error\",\"message\":\"infer: not hex\"}\n");
                } else {
                    outs("{\"event\":\"error\",\"message\":\"unknown command\"}\n");
                }
                n = 0;
            }
        }

        extern uint32_t _estack;
        void Reset_Handler(void) { main(); for (;;) {} }
        __attribute__((section(".isr_vector"), used))
        const void *const vectors[] = { &_estack, (const void *)Reset_Handler };
        """#

    static let linkerScript = """
        MEMORY { FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 4M
                 RAM (rwx)  : ORIGIN = 0x20000000, LENGTH = 4M }
        ENTRY(Reset_Handler)
        SECTIONS {
          .text : { KEEP(*(.isr_vector)) *(.text*) *(.rodata*) } > FLASH
          _estack = ORIGIN(RAM) + LENGTH(RAM);
        }
        """

    /// Compiles the firmware reporting `firmwareHash` into `directory`; returns the ELF path.
    static func build(firmwareHash: String, in directory: String) throws -> String {
        try source.write(toFile: directory + "/board.c", atomically: true, encoding: .utf8)
        try linkerScript.write(toFile: directory + "/mps2.ld", atomically: true, encoding: .utf8)
        let elf = directory + "/fw-\(firmwareHash.prefix(8)).elf"
        let r = try ProcessRunner().run(
            "arm-none-eabi-gcc",
            [
                "-mcpu=cortex-m4", "-mthumb", "-Os", "-ffreestanding", "-nostdlib", "-fno-builtin", "-Wall",
                "-DFW_HASH=\"\(firmwareHash)\"", "-T", directory + "/mps2.ld", directory + "/board.c", "-o", elf,
            ], timeout: 60)
        guard r.exitCode == 0 else {
            throw NSError(domain: "arm-none-eabi-gcc", code: 1, userInfo: [NSLocalizedDescriptionKey: r.output])
        }
        return elf
    }
}

/// Skips the test when a tool is missing, or fails it when the CI environment variable is set.
func requireTools(_ tools: [String]) throws {
    let missing = tools.filter { ProcessRunner().locate($0) == nil }
    guard !missing.isEmpty else { return }
    let reason =
        "missing \(missing.joined(separator: ", ")) (Debian: qemu-system-arm socat gdb-multiarch gcc-arm-none-eabi)"
    if ProcessInfo.processInfo.environment["CI"] != nil {
        XCTFail(reason)
        throw NSError(domain: "requireTools", code: 1, userInfo: [NSLocalizedDescriptionKey: reason])
    }
    throw XCTSkip(reason)
}
