// gdb-remote: flash an ELF through any GDB remote server — qemu's gdbstub (the emulated board),
// OpenOCD or pyOCD (`:3333`), a J-Link GDB server — with gdb-multiarch in batch mode:
// connect (bounded by `set tcp connect-timeout`), `load`, `compare-sections`, reset, detach.
// gdb's exit code alone is not trusted: the output must show every section "matched" and no
// "MIS-MATCHED", and no connection error.
import Foundation

public struct GDBRemoteFlasher: Flasher {
    public let name = "gdb-remote"
    public var timeout: Double
    public var address: String
    public var resetCommand: String
    public var tool: String
    public var extraArguments: [String]
    public var runner: ProcessRunner

    public static let defaultTimeout = 60.0

    public init(options: FlasherOptions) throws {
        guard let address = options.gdbAddress, !address.isEmpty else {
            throw FlashError.badOptions("gdb-remote needs the gdb server's HOST:PORT (--gdb 127.0.0.1:3333)")
        }
        guard let colon = address.lastIndex(of: ":"), Int(address[address.index(after: colon)...]) != nil else {
            throw FlashError.badOptions("gdb server address \"\(address)\" is not HOST:PORT")
        }
        self.address = address
        self.timeout = options.timeout ?? Self.defaultTimeout
        self.resetCommand = options.gdbResetCommand ?? "monitor system_reset"
        self.tool = options.tool ?? "gdb-multiarch"
        self.extraArguments = options.extraArguments
        self.runner = ProcessRunner(searchPath: options.searchPath)
    }

    /// Seconds gdb keeps retrying the connection: a third of the timeout, at most 10.
    var connectTimeout: Int { max(1, min(10, Int(timeout / 3))) }

    public func arguments(for image: FirmwareFile) -> [String] {
        [
            "-q", "-batch", "-nx",
            "-ex", "set tcp connect-timeout \(connectTimeout)",
            "-ex", "target extended-remote \(address)",
            "-ex", "load",
            "-ex", "compare-sections",
            "-ex", resetCommand,
            "-ex", "detach",
        ] + extraArguments + [image.path]
    }

    public func flash(_ image: FirmwareFile) throws -> FlashResult {
        guard FileManager.default.fileExists(atPath: image.path) else {
            throw FlashError.badImage("\(image.path) does not exist")
        }
        let start = Deadline.now()
        var commands: [String] = [], output = ""
        let gdb = ToolInvocation(tool: tool, install: "the Debian package gdb-multiarch", runner: runner)
        do {
            try gdb.run(arguments(for: image), timeout: timeout, log: &commands, output: &output)
        } catch FlashError.failed(_, _, let out) where Self.unreachableReason(in: out) != nil {
            throw FlashError.unreachable(tool: tool, reason: Self.unreachableReason(in: out)!, output: out)
        }
        if let reason = Self.unreachableReason(in: output) {
            throw FlashError.unreachable(tool: tool, reason: reason, output: output)
        }
        if let problem = Self.problem(in: output) {
            throw FlashError.verificationFailed(tool: tool, reason: problem, output: output)
        }
        return FlashResult(commands: commands, output: output, seconds: Double(Deadline.now() - start) / 1e9)
    }

    /// Why gdb could not reach the gdb server, from its output, or nil. (Without a target,
    /// `compare-sections` compares the ELF with itself and prints "matched": never trust that
    /// alone.)
    static func unreachableReason(in output: String) -> String? {
        let lower = output.lowercased()
        for marker in [
            "connection timed out", "connection refused", "remote connection closed",
            "could not connect", "can't do that when your target",
        ]
        where lower.contains(marker) {
            return "no gdb server answered (\(marker))"
        }
        return nil
    }

    /// Why gdb's output does not show a verified load, or nil when it does.
    static func problem(in output: String) -> String? {
        let lower = output.lowercased()
        if output.contains("MIS-MATCHED") {
            return "compare-sections found sections that differ from the image (MIS-MATCHED)"
        }
        if !output.contains("Loading section") { return "gdb did not load any section" }
        if !lower.contains("matched") { return "compare-sections did not confirm the load" }
        return nil
    }
}
