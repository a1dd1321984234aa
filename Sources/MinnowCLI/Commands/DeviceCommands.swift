// `minnow devices ...`: register boards, install a trained iteration on one (and follow it
// to the board's own answer), read the install history and what the board reported;
// `minnow bridges ...`: the project's bridges and the ports they see.
import APITypes
import ArgumentParser
import Foundation
import OpenAPIRuntime

struct Devices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register boards, install models on them, and read what they report.",
        discussion: """
            A board is matched to the bridge it is plugged into by its USB serial number \
            (`minnow bridges list` shows the ports each bridge sees).

            A camera posts frames that a deployment reads on the server (`minnow camera`); give it its \
            own key with `minnow keys create --device NAME`.

            Example: minnow devices create bench-1 --project pets --profile mps2-an386 --usb-serial MPS2-0001
                     minnow devices install bench-1 --project pets --iteration 2 --follow
                     minnow devices create kitchen-cam --project pets --camera --deployment pets
            """,
        subcommands: [
            List.self, Create.self, Show.self, Update.self, Delete.self, Install.self, Installs.self, Observations.self,
        ]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The project's devices: profile, bridge, status, what they run.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let items = try await DeviceReference.all(project: projectID, with: client)
            if options.json { return try Output.json(items) }
            Output.table(
                ["name", "kind", "profile", "bridge", "port", "status", "runs", "last install", "last seen"],
                items.map { device in
                    [
                        device.name,
                        device.kind == .camera ? "camera → \(device.deployment ?? "(none)")" : device.kind.rawValue,
                        device.profile ?? "-", device.bridge ?? "-", device.port ?? "-", device.status.rawValue,
                        device.installedIterationNumber.map {
                            "#\($0) \(device.installedFirmwareHash?.prefix(12) ?? "")"
                        } ?? "-",
                        device.lastInstall.map(InstallText.summary) ?? "-", Output.date(device.lastSeenAt),
                    ]
                })
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a device.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Device name (letters, digits, dots, underscores, dashes).") var name: String
        @Flag(help: "A camera that posts frames (`minnow camera`) instead of a board.") var camera = false
        @OptionGroup var fields: DeviceFieldOptions

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let device = try await client.createDevice(
                path: .init(projectId: projectID),
                body: .json(
                    .init(
                        name: name, kind: camera ? .camera : nil, deployment: fields.deployment,
                        profile: fields.profile, bridge: fields.bridge,
                        usb: try fields.usb()))
            ).created.body.json
            if options.json { return try Output.json(device) }
            if device.kind == .camera {
                return print(
                    "Registered camera \(device.name) (id \(device.id)), read by \(device.deployment.map { "deployment \($0)" } ?? "no deployment yet"). Give it a key: minnow keys create --project \(project.reference) --device \(device.name)"
                )
            }
            print(
                "Registered \(device.name) (\(device.profile ?? "no profile yet")); status \(device.status.rawValue).")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One device with its last install.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Device name or id.") var device: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let id = try await DeviceReference.resolve(device, project: projectID, with: client)
            let found = try await client.getDevice(path: .init(projectId: projectID, deviceId: id)).ok.body.json
            if options.json { return try Output.json(found) }
            Output.fields([
                ("Name", found.name), ("Id", found.id), ("Kind", found.kind.rawValue),
                ("Deployment", found.deployment ?? "-"), ("Profile", found.profile ?? "-"),
                ("Bridge", found.bridge ?? "-"),
                ("Port", found.port ?? "-"), ("Status", found.status.rawValue),
                ("Last seen", Output.date(found.lastSeenAt)),
                (
                    "USB",
                    [found.usb?.vendorId, found.usb?.productId].compactMap { $0 }.joined(separator: ":")
                        + (found.usb?.serialNumber.map { " serial \($0)" } ?? "")
                ),
                ("Runs", found.installedIterationNumber.map { "iteration \($0)" } ?? "-"),
                ("Firmware", found.installedFirmwareHash ?? "-"), ("Model", found.installedModelHash ?? "-"),
                ("Last install", found.lastInstall.map(InstallText.summary) ?? "-"),
            ])
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Rename a device, set its profile, move it to another bridge or detach it, link a camera to a deployment."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Device name or id.") var device: String
        @Option(help: "New name.") var name: String?
        @OptionGroup var fields: DeviceFieldOptions

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let id = try await DeviceReference.resolve(device, project: projectID, with: client)
            let updated = try await client.updateDevice(
                path: .init(projectId: projectID, deviceId: id),
                body: .json(
                    .init(
                        name: name, profile: fields.profile, bridge: fields.bridge, deployment: fields.deployment,
                        usb: try fields.usb()))
            ).ok.body.json
            if options.json { return try Output.json(updated) }
            print("Updated \(updated.name).")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a device, its install history and observations.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Device name or id.") var device: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let id = try await DeviceReference.resolve(device, project: projectID, with: client)
            _ = try await client.deleteDevice(path: .init(projectId: projectID, deviceId: id)).noContent
            if !options.json { print("Deleted \(device).") }
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a trained iteration on a device through its bridge.",
            discussion:
                "With --follow, waits for the outcome: it succeeds only when the board boots and prints the new firmware's hash."
        )
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Device name or id.") var device: String
        @Option(help: "Iteration number or id.") var iteration: String
        @Flag(help: "Wait for the outcome, printing each stage.") var follow = false
        @Option(help: "With --follow: give up waiting after this many seconds.") var timeout: Int = 600

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let deviceID = try await DeviceReference.resolve(device, project: projectID, with: client)
            let iterationID = try await IterationReference.resolve(iteration, project: projectID, with: client)
            var install = try await client.createInstall(
                path: .init(projectId: projectID, deviceId: deviceID),
                body: .json(.init(iterationId: iterationID))
            ).accepted.body.json
            if !follow {
                if options.json { return try Output.json(install) }
                return print(
                    "Install \(install.id) queued: iteration \(install.iterationNumber) on \(device). Follow it with `minnow devices installs \(device) --project \(project.reference)`."
                )
            }
            let deadline = Date().addingTimeInterval(Double(timeout))
            var shown: Components.Schemas.InstallStatus?
            while true {
                if install.status != shown, !options.json {
                    print("  \(install.status.rawValue)"); shown = install.status
                }
                if install.status == .succeeded || install.status == .failed { break }
                guard Date() < deadline else {
                    throw CLIFailure(
                        "The install is still \(install.status.rawValue) after \(timeout) s; it goes on on the server.")
                }
                try await Task.sleep(for: .milliseconds(500))
                install = try await client.getInstall(
                    path: .init(projectId: projectID, deviceId: deviceID, installId: install.id)
                ).ok.body.json
            }
            if options.json { return try Output.json(install) }
            guard install.status == .succeeded else {
                FileHandle.standardError.write(Data((install.log ?? "").utf8))
                throw CLIFailure(
                    "The install failed while \(install.failedStage?.rawValue ?? "?"): \(install.error ?? "see the log above")."
                )
            }
            print(
                "Installed iteration \(install.iterationNumber) on \(device): the board booted firmware \(install.reportedFirmwareHash ?? "?")."
            )
        }
    }

    struct Installs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A device's install history, or one install with its whole log.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Device name or id.") var device: String
        @Option(help: "Show this install (id) with its log.") var install: String?

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let deviceID = try await DeviceReference.resolve(device, project: projectID, with: client)
            if let install {
                let found = try await client.getInstall(
                    path: .init(projectId: projectID, deviceId: deviceID, installId: install)
                ).ok.body.json
                if options.json { return try Output.json(found) }
                print(InstallText.summary(found))
                return print(found.log ?? "")
            }
            let page = try await client.listInstalls(
                path: .init(projectId: projectID, deviceId: deviceID), query: .init(perPage: 100)
            ).ok.body.json
            if options.json { return try Output.json(page) }
            Output.table(
                ["id", "when", "by", "iteration", "status", "firmware", "bridge"],
                page.items.map {
                    [
                        $0.id, Output.date($0.createdAt), $0.requestedBy, "\($0.iterationNumber)",
                        $0.status == .failed ? "failed (\($0.failedStage?.rawValue ?? "?"))" : $0.status.rawValue,
                        $0.firmwareHash.map { String($0.prefix(12)) } ?? "-", $0.bridge ?? "-",
                    ]
                })
        }
    }

    struct Observations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "What a device reported, newest first.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Device name or id.") var device: String
        @Option(help: "Page number.") var page: Int = 1
        @Option(name: .customLong("per-page"), help: "Observations per page (at most 100).") var perPage: Int = 20

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let deviceID = try await DeviceReference.resolve(device, project: projectID, with: client)
            let result = try await client.listObservations(
                path: .init(projectId: projectID, deviceId: deviceID),
                query: .init(page: page, perPage: perPage)
            ).ok.body.json
            if options.json { return try Output.json(result) }
            Output.table(
                ["received", "iteration", "label", "score", "ticks", "output"],
                result.items.map {
                    [
                        Output.date($0.receivedAt), $0.iterationNumber.map(String.init) ?? "-", $0.label ?? "-",
                        $0.scores.first.map { String(format: "%.3f", $0.score) } ?? "-",
                        $0.ticks.map(String.init) ?? "-",
                        $0.output.map(String.init).joined(separator: ","),
                    ]
                })
            Output.pageFooter(page: page, perPage: perPage, total: result.metadata.total, shown: result.items.count)
        }
    }
}

struct Bridges: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The project's bridges, online or not, and the serial ports each sees.",
        subcommands: [List.self, Delete.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bridges and their ports (with USB ids and the board each port was recognised as).")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            let items = try await client.listBridges(path: .init(projectId: projectID)).ok.body.json.items
            if options.json { return try Output.json(items) }
            for bridge in items {
                print(
                    "\(bridge.name)  \(bridge.online ? "online" : "offline")  last seen \(Output.date(bridge.lastSeenAt))  \(bridge.hostname ?? "")"
                )
                Output.table(
                    ["port", "usb", "serial", "board"],
                    bridge.ports.map {
                        [
                            $0.path, [$0.usb?.vendorId, $0.usb?.productId].compactMap { $0 }.joined(separator: ":"),
                            $0.usb?.serialNumber ?? "-",
                            $0.profile ?? $0.description ?? "unknown",
                        ]
                    })
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forget a bridge; its devices stay, without a bridge.")
        @OptionGroup var options: ClientOptions
        @OptionGroup var project: ProjectOptions
        @Argument(help: "Bridge name.") var name: String

        func run() async throws {
            let (client, projectID) = try await options.client(forProject: project)
            _ = try await client.deleteBridge(path: .init(projectId: projectID, bridgeName: name)).noContent
            if !options.json { print("Deleted bridge \(name).") }
        }
    }
}

enum DeviceReference {
    static func all(project: String, with client: Client) async throws -> [Components.Schemas.Device] {
        var items: [Components.Schemas.Device] = [], page = 1
        while true {
            let result = try await client.listDevices(
                path: .init(projectId: project), query: .init(page: page, perPage: 100)
            ).ok.body.json
            items += result.items
            guard page * 100 < result.metadata.total else { return items }
            page += 1
        }
    }

    /// A device id as given, or the id of the device with this name.
    static func resolve(_ reference: String, project: String, with client: Client) async throws -> String {
        if UUID(uuidString: reference) != nil { return reference.lowercased() }
        guard let found = try await all(project: project, with: client).first(where: { $0.name == reference }) else {
            throw CLIFailure("The project has no device named \"\(reference)\"; see `minnow devices list`.")
        }
        return found.id
    }
}

/// What `devices create` and `devices update` can set besides the name.
struct DeviceFieldOptions: ParsableArguments {
    @Option(help: "Cameras: the deployment that reads their frames; \"\" unlinks it.") var deployment: String?
    @Option(help: "Board profile, e.g. nano33ble, pico, mps2-an386.") var profile: String?
    @Option(help: "The bridge it is plugged into (its name); \"\" detaches it.") var bridge: String?
    @Option(name: .customLong("usb-serial"), help: "The board's USB serial number (from `minnow bridges list`).")
    var usbSerial: String?
    @Option(name: .customLong("usb-id"), help: "VID:PID, e.g. 2341:805a.") var usbID: String?

    func usb() throws -> Components.Schemas.USBIdentity? {
        guard usbSerial != nil || usbID != nil else { return nil }
        var vendor: String?, product: String?
        if let usbID {
            let parts = usbID.split(separator: ":").map(String.init)
            guard parts.count == 2 else { throw CLIFailure("--usb-id is VID:PID in hex, e.g. 2341:805a.") }
            (vendor, product) = (parts[0], parts[1])
        }
        return .init(vendorId: vendor, productId: product, serialNumber: usbSerial)
    }
}

enum InstallText {
    static func summary(_ install: Components.Schemas.Install) -> String {
        let outcome =
            install.status == .failed
            ? "failed while \(install.failedStage?.rawValue ?? "?"): \(install.error ?? "")" : install.status.rawValue
        return
            "iteration \(install.iterationNumber) by \(install.requestedBy), \(Output.date(install.createdAt)): \(outcome)"
    }
}
