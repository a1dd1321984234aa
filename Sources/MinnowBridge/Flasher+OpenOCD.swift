// openocd: flash an ELF through a debug probe (ST-LINK, CMSIS-DAP, J-Link) with OpenOCD's
// `program <elf> verify reset exit`. OpenOCD needs the interface and target config files
// (`-f interface/stlink.cfg -f target/stm32l4x.cfg`); the exit code and the absence of
// "Verify Failed" / "** Programming Failed **" decide. For a long-running OpenOCD server use
// gdb-remote against its :3333 instead.
import Foundation

public struct OpenOCDFlasher: Flasher {
    public let name = "openocd"
    public var timeout: Double
    public var configs: [String]
    public var tool: String
    public var extraArguments: [String]
    public var runner: ProcessRunner

    public static let defaultTimeout = 90.0

    public init(options: FlasherOptions) throws {
        guard !options.openocdConfigs.isEmpty else {
            throw FlashError.badOptions(
                "openocd needs its config files (e.g. interface/stlink.cfg and target/stm32l4x.cfg)")
        }
        configs = options.openocdConfigs
        timeout = options.timeout ?? Self.defaultTimeout
        tool = options.tool ?? "openocd"
        extraArguments = options.extraArguments
        runner = ProcessRunner(searchPath: options.searchPath)
    }

    public func arguments(for image: FirmwareFile) -> [String] {
        configs.flatMap { ["-f", $0] } + extraArguments + ["-c", "program \(tclQuote(image.path)) verify reset exit"]
    }

    public func flash(_ image: FirmwareFile) throws -> FlashResult {
        guard FileManager.default.fileExists(atPath: image.path) else {
            throw FlashError.badImage("\(image.path) does not exist")
        }
        let start = Deadline.now()
        var commands: [String] = [], output = ""
        try ToolInvocation(tool: tool, install: "the Debian package openocd", runner: runner)
            .run(arguments(for: image), timeout: timeout, log: &commands, output: &output)
        for marker in ["Verify Failed", "Programming Failed", "verify failed"] where output.contains(marker) {
            throw FlashError.verificationFailed(tool: tool, reason: "its output says \"\(marker)\"", output: output)
        }
        return FlashResult(commands: commands, output: output, seconds: Double(Deadline.now() - start) / 1e9)
    }

    private func tclQuote(_ s: String) -> String {
        s.contains(where: { " {}\"$[]\\".contains($0) }) ? "{\(s)}" : s
    }
}
