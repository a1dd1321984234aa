// dfu-util: flash a board in USB DFU mode (STM32 system bootloader, many Arduino/Portenta
// bootloaders): `dfu-util -d VID:PID -a ALT -s ADDRESS[:leave] -D image.bin`. The ELF is
// converted to .bin with objcopy. Exit code decides (note: some dfu-util versions exit non-zero
// when the device resets on `:leave` before the final status; that is reported, not hidden).
import Foundation

public struct DFUUtilFlasher: Flasher {
    public let name = "dfu-util"
    public var timeout: Double
    public var device: String?
    public var alt: String
    public var address: String
    public var tool: String
    public var extraArguments: [String]
    public var runner: ProcessRunner

    public static let defaultTimeout = 120.0

    public init(options: FlasherOptions) throws {
        device = options.dfuDevice
        alt = options.dfuAlt ?? "0"
        address = options.dfuAddress ?? "0x08000000:leave"
        timeout = options.timeout ?? Self.defaultTimeout
        tool = options.tool ?? "dfu-util"
        extraArguments = options.extraArguments
        runner = ProcessRunner(searchPath: options.searchPath)
    }

    public func arguments(binary: String) -> [String] {
        (device.map { ["-d", $0] } ?? []) + ["-a", alt, "-s", address] + extraArguments + ["-D", binary]
    }

    public func flash(_ image: FirmwareFile) throws -> FlashResult {
        let start = Deadline.now()
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = try image.converted(to: .binary, in: scratch, runner: runner)
        var commands: [String] = [], output = ""
        try ToolInvocation(tool: tool, install: "the Debian package dfu-util", runner: runner)
            .run(arguments(binary: binary), timeout: timeout, log: &commands, output: &output)
        return FlashResult(commands: commands, output: output, seconds: Double(Deadline.now() - start) / 1e9)
    }
}
