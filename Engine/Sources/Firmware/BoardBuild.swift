// Memory and latency report per board from a real compile: the generated C is built with
// Debian's arm-none-eabi-gcc for the board's CPU (-Os, which the kernels' own pragma raises
// to -O3, as in the shipped packages) and the object's section sizes are read with
// arm-none-eabi-size. Flash = .text + .rodata + .data (kernels, weights, constants);
// RAM = .data + .bss (the static arena). The application around the model is not counted.
// Latency is measured by LatencyProbe (instructions on the CPU's emulated core under qemu
// -icount, a lower bound on cycles); without qemu it is estimated from instructions per MAC
// measured once per core (LatencyEstimate) and says so.

import Foundation

/// How a report's latency was obtained.
public enum LatencyMethod: String, Sendable, Codable, Equatable {
    /// Instructions counted on an emulated core of the board's CPU under qemu -icount.
    case emulated
    /// MACs × instructions per MAC measured once on a reference model (qemu missing, or no emulator for the CPU).
    case estimated
}

/// What a model costs on one board.
public struct MemoryReport: Sendable, Codable, Equatable {
    public var board: String
    public var flashBytes: Int
    public var ramBytes: Int
    public var arenaBytes: Int
    public var macs: Int
    /// Instructions per inference (measured or estimated, see `latencyMethod`).
    public var instructions: Int
    /// Milliseconds per inference at the board's clock if each instruction took one cycle: a lower bound.
    public var milliseconds: Double
    public var latencyMethod: LatencyMethod
    /// One sentence saying how `instructions` was obtained, for model cards and READMEs.
    public var latencyNote: String
    public var boardFlashBytes: Int
    public var boardRAMBytes: Int
    /// True when the sizes come from a Cortex-M4 build standing in for a CPU without a compiler here.
    public var estimated: Bool
    public var fits: Bool { flashBytes <= boardFlashBytes && ramBytes <= boardRAMBytes }
}

public struct BoardBuildError: Error, CustomStringConvertible {
    public var description: String
}

public enum BoardBuild {
    /// Compiles `library` for `board` and reports real section sizes, and instructions per
    /// inference measured under qemu when `measureLatency` and qemu and newlib are available.
    public static func build(
        _ library: CLibrary, for board: BoardProfile, measureLatency: Bool = true,
        compiler: String = "arm-none-eabi-gcc"
    ) throws -> MemoryReport {
        let flags = board.estimateOnly ? BoardProfile.named("nano33ble")!.compilerFlags : board.compilerFlags
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-board-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try library.header.write(
            to: dir.appendingPathComponent(library.headerFileName), atomically: true, encoding: .utf8)
        try library.source.write(
            to: dir.appendingPathComponent(library.sourceFileName), atomically: true, encoding: .utf8)
        let object = dir.appendingPathComponent("model.o").path
        _ = try run(
            compiler,
            flags + [
                "-Os", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c",
                dir.appendingPathComponent(library.sourceFileName).path, "-o", object,
            ])
        let sizeTool = compiler.replacingOccurrences(of: "gcc", with: "size")
        var sections: [String: Int] = [:]
        for line in try run(sizeTool, ["-A", object]).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let size = Int(fields[1]) { sections[String(fields[0])] = size }
        }
        func total(_ prefix: String) -> Int { sections.filter { $0.key.hasPrefix(prefix) }.values.reduce(0, +) }
        let flash = total(".text") + total(".rodata") + total(".data")
        let ram = total(".data") + total(".bss")
        let latency = LatencyEstimate.latency(library, for: board, measure: measureLatency)
        return MemoryReport(
            board: board.name, flashBytes: flash, ramBytes: ram, arenaBytes: library.arenaSize, macs: library.macs,
            instructions: latency.instructions, milliseconds: board.milliseconds(instructions: latency.instructions),
            latencyMethod: latency.method, latencyNote: latency.note,
            boardFlashBytes: board.flashBytes, boardRAMBytes: board.ramBytes, estimated: board.estimateOnly)
    }

    /// True when `compiler` is an executable on the PATH, so `build` can measure.
    public static func compilerAvailable(_ compiler: String = "arm-none-eabi-gcc") -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(compiler)") }
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            throw BoardBuildError(
                description: "cannot run \(tool): install gcc-arm-none-eabi (scripts/install-deps.sh)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // Closed now, not when the Pipe is freed: Foundation keeps a Process (and its pipes) until
        // the thread that started it runs its run loop again, which a server's pool thread may
        // never do; the soak benchmark saw one open pipe left per C-library download.
        try? pipe.fileHandleForReading.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BoardBuildError(description: "\(tool) failed: \(output.suffix(2000))")
        }
        return output
    }
}
