// Memory report per board from a real compile: the generated C is built with Debian's
// arm-none-eabi-gcc for the board's CPU (-Os) and the object's section sizes are read with
// arm-none-eabi-size. Flash = .text + .rodata + .data (kernels, weights, constants);
// RAM = .data + .bss (the static arena). The application around the model is not counted.

import Foundation

/// What a model costs on one board.
public struct MemoryReport: Sendable, Codable, Equatable {
    public var board: String
    public var flashBytes: Int
    public var ramBytes: Int
    public var arenaBytes: Int
    public var macs: Int
    public var estimatedMilliseconds: Double
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
    /// Compiles `library` for `board` and reports real section sizes.
    public static func build(_ library: CLibrary, for board: BoardProfile, compiler: String = "arm-none-eabi-gcc") throws -> MemoryReport {
        let flags = board.estimateOnly ? BoardProfile.named("nano33ble")!.compilerFlags : board.compilerFlags
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-board-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try library.header.write(to: dir.appendingPathComponent(library.headerFileName), atomically: true, encoding: .utf8)
        try library.source.write(to: dir.appendingPathComponent(library.sourceFileName), atomically: true, encoding: .utf8)
        let object = dir.appendingPathComponent("model.o").path
        _ = try run(compiler, flags + ["-Os", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c",
                                       dir.appendingPathComponent(library.sourceFileName).path, "-o", object])
        let sizeTool = compiler.replacingOccurrences(of: "gcc", with: "size")
        var sections: [String: Int] = [:]
        for line in try run(sizeTool, ["-A", object]).split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let size = Int(fields[1]) { sections[String(fields[0])] = size }
        }
        func total(_ prefix: String) -> Int { sections.filter { $0.key.hasPrefix(prefix) }.values.reduce(0, +) }
        let flash = total(".text") + total(".rodata") + total(".data")
        let ram = total(".data") + total(".bss")
        return MemoryReport(board: board.name, flashBytes: flash, ramBytes: ram, arenaBytes: library.arenaSize, macs: library.macs,
                            estimatedMilliseconds: board.estimatedMilliseconds(macs: library.macs),
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
            throw BoardBuildError(description: "cannot run \(tool): install gcc-arm-none-eabi (scripts/install-deps.sh)")
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BoardBuildError(description: "\(tool) failed: \(output.suffix(2000))")
        }
        return output
    }
}
