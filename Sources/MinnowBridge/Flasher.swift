// The flasher abstraction: put one firmware image onto one board with one vendor tool, within a
// timeout, and say plainly whether the tool succeeded (exit code, plus tool-specific checks)
// with its whole output for the install log. Also the options the CLI passes
// (`--flasher gdb-remote --gdb 127.0.0.1:3333`, ...) and the factory that builds a flasher from a
// name. A flasher never decides that an install succeeded: the board's boot line does
// (BoardInstaller). Implementations live in one file per tool (Flasher+<Tool>.swift).
import Foundation

/// What a successful flash produced.
public struct FlashResult: Sendable, Equatable {
    /// The command lines run, as the log shows them.
    public var commands: [String]
    /// The tools' output, in order.
    public var output: String
    public var seconds: Double
}

public enum FlashError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The tool is not installed; `install` names the package to install.
    case toolMissing(tool: String, install: String)
    case timedOut(tool: String, seconds: Double, output: String)
    case failed(tool: String, exitCode: Int32?, output: String)
    /// The tool could not reach the board or probe (e.g. no gdb server at the address).
    case unreachable(tool: String, reason: String, output: String)
    /// The tool exited 0 but its output shows the image was not written/verified.
    case verificationFailed(tool: String, reason: String, output: String)
    case badImage(String)
    case conversionFailed(String)
    case badOptions(String)
    /// For uf2-copy: the drive is missing or not a UF2 bootloader drive.
    case driveNotFound(String)

    public var description: String {
        switch self {
        case .toolMissing(let t, let pkg): return "\(t) is not installed: install \(pkg)"
        case .timedOut(let t, let s, _): return "\(t) did not finish within \(formatSeconds(s)) and was stopped"
        case .failed(let t, let code, _):
            return code.map { "\(t) failed (exit code \($0))" } ?? "\(t) was killed by a signal"
        case .unreachable(let t, let r, _): return "\(t) could not reach the board: \(r)"
        case .verificationFailed(let t, let r, _): return "\(t) reported success but \(r)"
        case .badImage(let m): return "bad firmware image: \(m)"
        case .conversionFailed(let m): return "cannot convert the image: \(m)"
        case .badOptions(let m): return "flasher options: \(m)"
        case .driveNotFound(let m): return m
        }
    }

    /// The tool output attached to the error, if any (for the log).
    public var output: String {
        switch self {
        case .timedOut(_, _, let o), .failed(_, _, let o), .verificationFailed(_, _, let o), .unreachable(_, _, let o):
            return o
        default: return ""
        }
    }
}

public protocol Flasher: Sendable {
    /// The flasher's name as the CLI spells it (`gdb-remote`, `bossac`, ...).
    var name: String { get }
    /// Seconds the tool may run before it is killed.
    var timeout: Double { get }
    /// Flashes `image`; throws FlashError on any failure.
    func flash(_ image: FirmwareFile) throws -> FlashResult
}

/// Everything the CLI can pass to build a flasher. Each field is used by the flashers it names.
public struct FlasherOptions: Sendable, Equatable {
    /// Overrides the flasher's default timeout (seconds).
    public var timeout: Double?
    /// The tool's executable (a name looked up on `searchPath`, or a path).
    public var tool: String?
    /// PATH to find tools on (default: this process's PATH).
    public var searchPath: String?
    /// Extra arguments appended before the image (all tools).
    public var extraArguments: [String] = []
    /// gdb-remote: `HOST:PORT` of the gdb server (qemu, OpenOCD :3333, pyOCD :3333).
    public var gdbAddress: String?
    /// gdb-remote: the reset command (qemu `monitor system_reset`, OpenOCD `monitor reset run`,
    /// pyOCD `monitor reset`).
    public var gdbResetCommand: String?
    /// bossac, esptool, avrdude: the board's serial port.
    public var port: String?
    /// bossac: do the 1200-baud touch that starts the bootloader (Arduino's use_1200bps_touch).
    public var touch1200: Bool = false
    /// bossac, uf2-copy: wait this long after the touch/copy for the board to re-enumerate.
    public var settleSeconds: Double?
    /// openocd: config files (`-f`), e.g. ["interface/stlink.cfg", "target/stm32l4x.cfg"].
    public var openocdConfigs: [String] = []
    /// dfu-util: `VID:PID` of the DFU device, alt setting, and the `-s` address (e.g. `0x08000000:leave`).
    public var dfuDevice: String?
    public var dfuAlt: String?
    public var dfuAddress: String?
    /// esptool: chip (`esp32s3`), baud rate, and the flash address of the app image.
    public var espChip: String?
    public var baud: Int?
    public var flashAddress: String?
    /// avrdude: programmer (`-c`, e.g. `arduino`) and part (`-p`, e.g. `atmega328p`).
    public var avrProgrammer: String?
    public var avrPart: String?
    /// uf2-copy: the mounted drive (a directory holding INFO_UF2.TXT), and the UF2 family ID.
    public var uf2Drive: String?
    public var uf2FamilyID: UInt32?

    public init() {}
}

public enum FlasherFactory {
    public static let names = ["gdb-remote", "openocd", "bossac", "dfu-util", "esptool", "avrdude", "uf2-copy"]

    /// Builds the flasher called `name` from `options`.
    public static func make(_ name: String, options: FlasherOptions) throws -> any Flasher {
        switch name {
        case "gdb-remote": return try GDBRemoteFlasher(options: options)
        case "openocd": return try OpenOCDFlasher(options: options)
        case "bossac": return try BossacFlasher(options: options)
        case "dfu-util": return try DFUUtilFlasher(options: options)
        case "esptool": return try ESPToolFlasher(options: options)
        case "avrdude": return try AVRDudeFlasher(options: options)
        case "uf2-copy": return try UF2CopyFlasher(options: options)
        default:
            throw FlashError.badOptions("unknown flasher \"\(name)\" (one of: \(names.joined(separator: ", ")))")
        }
    }
}

/// Runs one tool invocation for a flasher and turns its outcome into FlashError or output.
struct ToolInvocation {
    var tool: String
    var install: String
    var runner: ProcessRunner

    func run(_ arguments: [String], timeout: Double, log: inout [String], output: inout String) throws {
        let commandLine = ([tool] + arguments).map(shellQuote).joined(separator: " ")
        log.append(commandLine)
        output += "$ \(commandLine)\n"
        let result: ProcessResult
        do {
            result = try runner.run(tool, arguments, timeout: timeout)
        } catch ProcessRunnerError.notFound {
            throw FlashError.toolMissing(tool: tool, install: install)
        } catch {
            throw FlashError.failed(tool: tool, exitCode: nil, output: output + "\(error)\n")
        }
        output += result.output
        if !result.output.isEmpty && !result.output.hasSuffix("\n") { output += "\n" }
        if result.timedOut {
            output += "[stopped after \(formatSeconds(timeout))]\n"
            throw FlashError.timedOut(tool: tool, seconds: timeout, output: output)
        }
        guard result.exitCode == 0 else {
            output += "[exit code \(result.exitCode.map(String.init) ?? "none (signal)")]\n"
            throw FlashError.failed(tool: tool, exitCode: result.exitCode, output: output)
        }
    }
}

func shellQuote(_ s: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+")
    if !s.isEmpty && s.allSatisfy({ safe.contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// A scratch directory for converted images, removed by the caller.
func makeScratchDirectory() throws -> String {
    let dir = NSTemporaryDirectory() + "minnow-flash-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
