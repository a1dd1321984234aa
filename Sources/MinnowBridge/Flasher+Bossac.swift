// bossac: flash a SAM-BA/bossa bootloader board (the Arduino Nano 33 BLE among others) over its
// serial port, as the Arduino core does: optionally the 1200-baud touch that starts the
// bootloader, then `bossac -d --port=<tty> -U -i -e -w -v <image.bin> -R` (erase, write,
// verify, reset). The ELF is converted to .bin with objcopy first. Exit code decides.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct BossacFlasher: Flasher {
    public let name = "bossac"
    public var timeout: Double
    public var port: String
    public var touch1200: Bool
    public var settleSeconds: Double
    public var tool: String
    public var extraArguments: [String]
    public var runner: ProcessRunner

    public static let defaultTimeout = 120.0

    public init(options: FlasherOptions) throws {
        guard let port = options.port, !port.isEmpty else {
            throw FlashError.badOptions("bossac needs the board's serial port")
        }
        self.port = port
        touch1200 = options.touch1200
        settleSeconds = options.settleSeconds ?? 2
        timeout = options.timeout ?? Self.defaultTimeout
        tool = options.tool ?? "bossac"
        extraArguments = options.extraArguments
        runner = ProcessRunner(searchPath: options.searchPath)
    }

    public func arguments(binary: String) -> [String] {
        // bossac wants the port's name as /dev/<name> resolves it; pass the path as given.
        ["-d", "--port=\(port)", "-U", "-i", "-e", "-w", "-v"] + extraArguments + [binary, "-R"]
    }

    public func flash(_ image: FirmwareFile) throws -> FlashResult {
        let start = Deadline.now()
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let binary = try image.converted(to: .binary, in: scratch, runner: runner)
        var commands: [String] = [], output = ""
        if touch1200 {
            output += "1200-baud touch on \(port)\n"
            touch(port)
            usleep(useconds_t(settleSeconds * 1e6))
        }
        try ToolInvocation(tool: tool, install: "the Debian package bossa-cli", runner: runner)
            .run(arguments(binary: binary), timeout: timeout, log: &commands, output: &output)
        return FlashResult(commands: commands, output: output, seconds: Double(Deadline.now() - start) / 1e9)
    }

    /// Opens the port at 1200 baud and closes it: the signal Arduino bootloaders reset on.
    private func touch(_ path: String) {
        let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK)
        guard fd >= 0 else { return }
        var t = termios()
        if tcgetattr(fd, &t) == 0 {
            cfsetispeed(&t, SerialPort.speedConstant(1200))
            cfsetospeed(&t, SerialPort.speedConstant(1200))
            _ = tcsetattr(fd, TCSANOW, &t)
        }
        close(fd)
    }
}
