// avrdude: flash an AVR (or any avrdude-supported part) over a serial bootloader or a
// programmer: `avrdude -c PROGRAMMER -p PART -P PORT [-b BAUD] -D -U flash:w:IMAGE:e` (ELF read
// directly; `:i` for a .hex). avrdude verifies after writing by default. Its own timeouts are
// long (a silent port took 56 s to fail here), so the flasher's timeout is what bounds it.
import Foundation

public struct AVRDudeFlasher: Flasher {
    public let name = "avrdude"
    public var timeout: Double
    public var port: String
    public var programmer: String
    public var part: String
    public var baud: Int?
    public var tool: String
    public var extraArguments: [String]
    public var runner: ProcessRunner

    public static let defaultTimeout = 60.0

    public init(options: FlasherOptions) throws {
        guard let port = options.port, !port.isEmpty else {
            throw FlashError.badOptions("avrdude needs the board's serial port")
        }
        guard let part = options.avrPart, !part.isEmpty else {
            throw FlashError.badOptions("avrdude needs the part (-p, e.g. atmega328p)")
        }
        self.port = port
        self.part = part
        programmer = options.avrProgrammer ?? "arduino"
        baud = options.baud
        timeout = options.timeout ?? Self.defaultTimeout
        tool = options.tool ?? "avrdude"
        extraArguments = options.extraArguments
        runner = ProcessRunner(searchPath: options.searchPath)
    }

    public func arguments(for image: FirmwareFile) -> [String] {
        let format = image.isELF ? "e" : image.path.hasSuffix(".hex") ? "i" : "a"
        return ["-c", programmer, "-p", part, "-P", port] + (baud.map { ["-b", String($0)] } ?? [])
            + ["-D"] + extraArguments + ["-U", "flash:w:\(image.path):\(format)"]
    }

    public func flash(_ image: FirmwareFile) throws -> FlashResult {
        guard FileManager.default.fileExists(atPath: image.path) else {
            throw FlashError.badImage("\(image.path) does not exist")
        }
        let start = Deadline.now()
        var commands: [String] = [], output = ""
        try ToolInvocation(tool: tool, install: "the Debian package avrdude", runner: runner)
            .run(arguments(for: image), timeout: timeout, log: &commands, output: &output)
        return FlashResult(commands: commands, output: output, seconds: Double(Deadline.now() - start) / 1e9)
    }
}
