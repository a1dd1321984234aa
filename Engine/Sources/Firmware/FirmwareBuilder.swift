// FirmwareBuilder: a complete bare-metal ELF for an emulated board (mps2-an385/an386/an500):
// the generated model C, the board support (BareMetal+Startup/Devices) and the protocol main
// loop (BareMetal+Protocol), compiled and linked with Debian's arm-none-eabi-gcc and newlib.
// The firmware hash is SHA-256 over every source and flag, computed before compiling and
// embedded in the image, so the board reports the build it runs. It does not flash anything
// (that is the bridge's job) and builds only for profiles with a board support package.

import Foundation
import Int8Inference
import TFLite

/// A built firmware image and the facts its boot line reports.
public struct FirmwareImage: Sendable {
    public var board: String
    public var elf: [UInt8]
    /// SHA-256 (64 lower-case hex) of all sources and flags; the board prints it at boot.
    public var firmwareHash: String
    /// SHA-256 of `TFLiteWriter.serialize(model)`; empty for images built from a custom main.
    public var modelHash: String
    public var arenaSize: Int
    public var inputSize: Int
    public var outputSize: Int
    /// The compiler's and linker's output plus the section sizes.
    public var buildLog: String
}

public struct FirmwareBuildError: Error, CustomStringConvertible {
    public var description: String
}

public enum FirmwareBuilder {
    /// Compiler flags besides the CPU's: size-optimised support code (the model's C raises
    /// itself to -O3 with a pragma), sections for --gc-sections, newlib-nano, our own startup.
    static let commonFlags = [
        "-Os", "-std=c99", "-Wall", "-Wextra", "-ffunction-sections", "-fdata-sections",
        "--specs=nano.specs", "--specs=nosys.specs", "-nostartfiles", "-Wl,--gc-sections",
    ]

    /// True for profiles with a bare-metal board support package (the emulated MPS2 boards).
    public static func canBuild(for board: BoardProfile) -> Bool { board.hasBareMetalSupport }

    /// Nil when arm-none-eabi-gcc and newlib are installed, else what to install.
    public static func missingToolchain(compiler: String = "arm-none-eabi-gcc") -> String? {
        guard BoardBuild.compilerAvailable(compiler) else {
            return "\(compiler) not found: install the Debian package gcc-arm-none-eabi (scripts/install-deps.sh)"
        }
        let specs =
            (try? BoardBuild.run(compiler, ["-print-file-name=nano.specs"]))?.trimmingCharacters(
                in: .whitespacesAndNewlines) ?? ""
        guard specs.hasPrefix("/"), FileManager.default.fileExists(atPath: specs) else {
            return
                "newlib for arm-none-eabi not found: install the Debian package libnewlib-arm-none-eabi (scripts/install-deps.sh)"
        }
        return nil
    }

    /// Builds the protocol firmware for `model` on `board`; the model hash is over `TFLiteWriter.serialize(model)`.
    public static func build(_ model: Int8Model, name: String, board: BoardProfile) throws -> FirmwareImage {
        try build(model, modelHash: SHA256.hex(try TFLiteWriter.serialize(model)), name: name, board: board)
    }

    /// Builds the protocol firmware for the model in `tflite` (e.g. a stored artifact); the model
    /// hash is over exactly these bytes, so it equals the hash of what `.../artifacts/tflite` serves.
    public static func build(tflite: [UInt8], name: String, board: BoardProfile) throws -> FirmwareImage {
        try build(try TFLiteReader.read(tflite), modelHash: SHA256.hex(tflite), name: name, board: board)
    }

    static func build(_ model: Int8Model, modelHash: String, name: String, board: BoardProfile) throws -> FirmwareImage
    {
        guard canBuild(for: board) else {
            let supported = BoardProfile.all.filter(canBuild).map(\.name).joined(separator: ", ")
            throw FirmwareBuildError(
                description: "no bare-metal firmware for board \(board.name) (supported: \(supported))")
        }
        let library = try CGenerator.generate(model, name: name)
        let sources = [
            library.headerFileName: library.header,
            library.sourceFileName: library.source,
            "main.c": protocolMain(
                name: library.name, board: board, modelHash: modelHash, inputBytes: library.inputSize),
        ]
        let linked = try link(sources, board: board)
        return FirmwareImage(
            board: board.name, elf: linked.elf, firmwareHash: linked.firmwareHash, modelHash: modelHash,
            arenaSize: library.arenaSize, inputSize: model.inputTensor.elementCount,
            outputSize: model.outputTensor.elementCount, buildLog: linked.log)
    }

    /// The protocol `main.c` that `build` links for the library called `name`, for building
    /// variants of the same firmware through `link` (e.g. with other flags).
    public static func protocolMain(name: String, board: BoardProfile, modelHash: String, inputBytes: Int) -> String {
        BareMetal.protocolMain(
            name: name,
            facts: BareMetal.BootFacts(
                board: board.name, modelHash: modelHash,
                clockHz: board.latencyMachine?.tickHz ?? board.clockMHz * 1_000_000,
                inputBytes: inputBytes))
    }

    /// The lower-level entry: links arbitrary C `sources` (file name → text, `.c` files are
    /// compiled, others are headers) with the board support for `board` (startup, linker script,
    /// `board.h`/`board.c`, and `mn_firmware_hash`). `sources` must define `main`. Used for the
    /// protocol firmware and by tests (e.g. a firmware that never prints a boot line).
    public static func link(
        _ sources: [String: String], board: BoardProfile, extraFlags: [String] = [],
        compiler: String = "arm-none-eabi-gcc"
    ) throws -> (elf: [UInt8], firmwareHash: String, log: String) {
        guard let machine = board.latencyMachine, canBuild(for: board) else {
            throw FirmwareBuildError(description: "no bare-metal board support for \(board.name)")
        }
        var files = sources
        files["startup.c"] = BareMetal.startup
        files["board.h"] = BareMetal.boardHeader
        files["board.c"] = BareMetal.boardSource
        files["ticks.h"] = BareMetal.tickCounter(for: machine)
        files["link.ld"] = BareMetal.linkerScript(for: machine)
        let flags = board.compilerFlags + commonFlags + ["-DMN_CLOCK_HZ=\(machine.tickHz)u"] + extraFlags
        let hash = firmwareHash(files: files, flags: flags)
        files["firmware_id.c"] = BareMetal.firmwareID(hash)
        let elf = try compileAndLink(files: files, flags: flags, compiler: compiler)
        return (elf.bytes, hash, elf.log)
    }

    /// SHA-256 over the flags and every file (sorted by name; name, NUL, length, NUL, text).
    static func firmwareHash(files: [String: String], flags: [String]) -> String {
        var bytes = Array(("minnow-firmware-1\0" + flags.joined(separator: "\0") + "\0\0").utf8)
        for name in files.keys.sorted() {
            let text = Array(files[name]!.utf8)
            bytes += Array("\(name)\0\(text.count)\0".utf8) + text
        }
        return SHA256.hex(bytes)
    }

    /// Writes `files` to a temporary directory, compiles every `.c` and links with `link.ld`.
    static func compileAndLink(
        files: [String: String], flags: [String], compiler: String
    ) throws -> (bytes: [UInt8], log: String) {
        if let missing = missingToolchain(compiler: compiler) { throw FirmwareBuildError(description: missing) }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minnow-fw-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (name, text) in files {
            try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let elf = dir.appendingPathComponent("firmware.elf").path
        let cFiles = files.keys.filter { $0.hasSuffix(".c") }.sorted().map { dir.appendingPathComponent($0).path }
        var log =
            "\(compiler) \((flags + ["-T", "link.ld"]).joined(separator: " ")) \(files.keys.filter { $0.hasSuffix(".c") }.sorted().joined(separator: " "))\n"
        do {
            log += try BoardBuild.run(
                compiler,
                flags + ["-I", dir.path, "-T", dir.appendingPathComponent("link.ld").path] + cFiles + [
                    "-lgcc", "-o", elf,
                ])
        } catch let error as BoardBuildError {
            throw FirmwareBuildError(description: "firmware build failed: \(error.description)")
        }
        log += try BoardBuild.run(compiler.replacingOccurrences(of: "gcc", with: "size"), [elf])
        return ([UInt8](try Data(contentsOf: URL(fileURLWithPath: elf))), log)
    }
}
