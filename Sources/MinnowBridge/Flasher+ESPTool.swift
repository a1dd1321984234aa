// esptool: flash an ESP32 (ESP32-S3 for Minnow) over its serial port. An ELF is first turned
// into an app image with `esptool --chip C elf2image`, then written with
// `esptool --chip C --port P --baud B write_flash ADDRESS app.bin` (default address 0x10000, the
// app partition of the default layout: the bootloader and partition table must already be
// there). A `.bin` is written as is. Exit code decides.
import Foundation

public struct ESPToolFlasher: Flasher {
    public let name = "esptool"
    public var timeout: Double
    public var port: String
    public var chip: String
    public var baud: Int
    public var address: String
    public var tool: String
    public var extraArguments: [String]
    public var runner: ProcessRunner

    public static let defaultTimeout = 180.0

    public init(options: FlasherOptions) throws {
        guard let port = options.port, !port.isEmpty else {
            throw FlashError.badOptions("esptool needs the board's serial port")
        }
        self.port = port
        chip = options.espChip ?? "esp32s3"
        baud = options.baud ?? 460_800
        address = options.flashAddress ?? "0x10000"
        timeout = options.timeout ?? Self.defaultTimeout
        tool = options.tool ?? "esptool"
        extraArguments = options.extraArguments
        runner = ProcessRunner(searchPath: options.searchPath)
    }

    public func convertArguments(elf: String, output: String) -> [String] {
        ["--chip", chip, "elf2image", "--output", output, elf]
    }

    public func writeArguments(binary: String) -> [String] {
        ["--chip", chip, "--port", port, "--baud", String(baud)] + extraArguments + ["write_flash", address, binary]
    }

    public func flash(_ image: FirmwareFile) throws -> FlashResult {
        let start = Deadline.now()
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let esptool = ToolInvocation(tool: tool, install: "esptool from PyPI (pip install esptool)", runner: runner)
        var commands: [String] = [], output = ""
        var binary = image.path
        if image.isELF {
            binary = scratch + "/app.bin"
            try esptool.run(
                convertArguments(elf: image.path, output: binary), timeout: min(timeout, 60),
                log: &commands, output: &output)
        }
        try esptool.run(writeArguments(binary: binary), timeout: timeout, log: &commands, output: &output)
        return FlashResult(commands: commands, output: output, seconds: Double(Deadline.now() - start) / 1e9)
    }
}
