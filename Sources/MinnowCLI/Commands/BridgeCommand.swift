// `minnow bridge`: the agent that runs next to the boards. It connects outward only (works
// behind NAT), heartbeats the serial ports it finds in sysfs, long-polls for installs,
// flashes the firmware the worker built with the board's real tool, and reports success only
// when the board boots and prints the firmware's hash; then it runs a few test images on the
// board and posts the outputs as observations.
import ArgumentParser
import Foundation
import MinnowBridge

struct BridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bridge",
        abstract: "Run the bridge agent next to your boards: discover them, install models, verify and observe.",
        discussion: """
            Authenticate with an API key that has the `bridge` permission, in MINNOW_TOKEN (never on \
            the command line). Boards are found from Linux sysfs (/sys/class/tty, /dev/serial/by-id) \
            and named by their USB VID:PID; register each with `minnow devices create --usb-serial ...`.

            Flashers (--flasher, else chosen by the board profile): \(FlasherFactory.names.joined(separator: ", ")). \
            Their settings go in --flasher-option KEY=VALUE (repeatable): \
            \(FlasherOptions.settingKeys.map(\.key).joined(separator: ", ")).

            Example: MINNOW_TOKEN=mnw_... minnow bridge --project pets --name lab-pi \\
                       --flasher gdb-remote --gdb 127.0.0.1:3333
            """)

    @OptionGroup var options: ClientOptions
    @OptionGroup var project: ProjectOptions
    @Option(help: "This bridge's name in the project (default: the host name).") var name: String?
    @Option(
        name: .customLong("sysfs-root"),
        help: "Root of the sysfs and /dev tree to scan (default /; a fixture in tests).") var sysfsRoot = "/"
    @Option(help: "Flasher for every board (default: by board profile).") var flasher: String?
    @Option(name: .customLong("flasher-option"), help: "A flasher setting KEY=VALUE (repeatable).") var flasherOptions:
        [String] = []
    @Option(help: "gdb server HOST:PORT for gdb-remote (same as --flasher-option gdb=HOST:PORT).") var gdb: String?
    @Option(name: .customLong("boot-timeout"), help: "Seconds to wait for the board's boot line after flashing.")
    var bootTimeout: Double = 15
    @Option(help: "Test images to run on the board after each successful install (0 for none).") var check: Int = 8

    func validate() throws {
        if let flasher, !FlasherFactory.names.contains(flasher) {
            throw ValidationError(
                "Unknown flasher \"\(flasher)\"; choose one of \(FlasherFactory.names.joined(separator: ", ")).")
        }
        guard (0...64).contains(check) else { throw ValidationError("--check is 0–64 test images.") }
        for setting in flasherOptions where !setting.contains("=") {
            throw ValidationError("--flasher-option takes KEY=VALUE, got \"\(setting)\".")
        }
    }

    func run() async throws {
        let (client, projectID) = try await options.client(forProject: project)
        var settings = flasherOptions
        if let gdb { settings.append("gdb=\(gdb)") }
        let agent = BridgeAgent(
            client: client, projectID: projectID, name: name ?? BridgeAgent.defaultName,
            scanner: USBScanner(root: sysfsRoot), flasherName: flasher, flasherSettings: settings,
            bootTimeout: bootTimeout, checkCount: check)
        try await agent.run()
    }
}
