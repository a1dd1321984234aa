// The Devices tab and a device's page: boards and cameras with their status and what they
// run, bridges with the ports they see (an unrecognised board can be registered from its
// port), the register form, and per device the install form (boards) or the camera's
// settings, history, last log and observations.
import APITypes
import Foundation
import MinnowCore

extension Views {
    struct DevicesPage {
        let devices: [Components.Schemas.Device]
        let bridges: [Components.Schemas.Bridge]
        /// (name, display name) of every board profile.
        let profiles: [(String, String)]
        /// Deployment names, for cameras.
        let deployments: [String]
        var form: [String: String]
    }

    struct DevicePage {
        let device: Components.Schemas.Device
        let installs: [Components.Schemas.Install]
        let lastLog: String?
        let observations: [Components.Schemas.Observation]
        let observationCount: Int
        /// Trained iterations, newest first.
        let trained: [(id: String, number: Int)]
        /// A camera's section (deployment, key, command); nil for a board.
        let camera: HTML?
    }

    static func devices(
        session: WebSession, project: Project, page: DevicesPage, errors: FormErrors, notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? ""
        let rows = page.devices.map { device -> HTML in
            """
            <tr>
            <th scope="row"><a href="\(WebRoute.device(id, device: device.id).path)">\(device.name)</a></th>
            <td>\(device.kind.rawValue)</td><td>\(device.kind == .camera ? device.deployment ?? "—" : device.profile ?? "—")</td><td>\(device.bridge ?? "—")</td>
            <td><span class="badge status-\(device.status.rawValue)">\(device.status.rawValue)</span></td>
            <td>\(device.installedIterationNumber.map { "Iteration \($0)" } ?? "—") \(device.installedFirmwareHash.map { HTML("<code>\(String($0.prefix(12)))</code>") })</td>
            <td>\(device.lastInstall.map(installOutcome) ?? "—")</td>
            <td>\(Formats.date(device.lastSeenAt))</td>
            </tr>
            """
        }
        let table: HTML =
            page.devices.isEmpty
            ? "<p class=\"muted\">No devices yet. Register a board below.</p>"
            : """
            <div class="table-wrap"><table>
            <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Profile or deployment</th><th scope="col">Bridge</th><th scope="col">Status</th><th scope="col">Runs</th><th scope="col">Last install</th><th scope="col">Last seen</th></tr></thead>
            <tbody>\(rows)</tbody>
            </table></div>
            """
        let profiles =
            [(value: "", text: "Not known yet")] + page.profiles.map { (value: $0.0, text: "\($0.1) (\($0.0))") }
        let bridges = [(value: "", text: "None")] + page.bridges.map { (value: $0.name, text: $0.name) }
        let kinds = [
            (value: "board", text: "Board (flashed through a bridge)"),
            (value: "camera", text: "Camera (posts frames)"),
        ]
        let deployments = [(value: "", text: "None yet")] + page.deployments.map { (value: $0, text: $0) }
        return layout(
            title: "Devices", session: session, project: project, tab: .devices, notice: notice,
            """
            <h2>Devices</h2>
            \(table)
            <h2>Bridges</h2>
            \(bridgeList(page.bridges))
            <h2>Register a device</h2>
            \(errorSummary(errors))
            <form method="post" action="\(WebRoute.devices(id).path)" class="narrow-form" novalidate>
            \(csrfField(session))
            \(field("Name", name: "name", value: page.form["name"] ?? "", errors: errors, hint: "Letters, digits, dots, underscores and dashes; unique in the project.", attributes: "required maxlength=\"63\" autocomplete=\"off\""))
            \(select("Kind", name: "kind", options: kinds, selected: page.form["kind"], errors: errors))
            \(select("Deployment (cameras)", name: "deployment", options: deployments, selected: page.form["deployment"], errors: errors))
            \(select("Board profile", name: "profile", options: profiles, selected: page.form["profile"], errors: errors))
            \(select("Bridge", name: "bridge", options: bridges, selected: page.form["bridge"], errors: errors))
            \(field("USB serial number", name: "usbSerial", value: page.form["usbSerial"] ?? "", errors: errors, hint: "As the bridge lists it: the board is attached to whichever bridge sees this serial number.", attributes: "maxlength=\"128\" autocomplete=\"off\""))
            <button type="submit">Register</button>
            </form>
            """)
    }

    private static func bridgeList(_ bridges: [Components.Schemas.Bridge]) -> HTML {
        guard !bridges.isEmpty else {
            return
                "<p class=\"muted\">No bridge has connected yet. On the computer the boards are plugged into, run <code>MINNOW_TOKEN=&lt;key with the bridge permission&gt; minnow bridge --project &lt;project&gt;</code>.</p>"
        }
        let items = bridges.map { bridge -> HTML in
            let ports = bridge.ports.map { port -> HTML in
                let usb = [port.usb?.vendorId, port.usb?.productId].compactMap { $0 }.joined(separator: ":")
                return
                    "<li><code>\(port.path)</code> \(usb) \(port.usb?.serialNumber.map { "serial \($0)" } ?? "no serial number") — \(port.profile ?? port.description ?? "unknown board")</li>"
            }
            return """
                <li><strong>\(bridge.name)</strong> <span class="badge status-\(bridge.online ? "online" : "offline")">\(bridge.online ? "online" : "offline")</span>
                <span class="muted">\(bridge.hostname ?? "") · last seen \(Formats.date(bridge.lastSeenAt))</span>
                \(bridge.ports.isEmpty ? HTML("<p class=\"muted\">No serial ports.</p>") : HTML("<ul>\(ports)</ul>"))</li>
                """
        }
        return "<ul class=\"plain\">\(items)</ul>"
    }

    private static func boardFacts(_ device: Components.Schemas.Device, usb: String) -> HTML {
        """
        <dt>Profile</dt><dd>\(device.profile ?? "not known yet")</dd>
        <dt>Bridge</dt><dd>\(device.bridge ?? "none")\(device.port.map { HTML(" on <code>\($0)</code>") })</dd>
        <dt>USB</dt><dd>\(usb.isEmpty ? "—" : usb) \(device.usb?.serialNumber.map { "serial \($0)" } ?? "")</dd>
        <dt>Runs</dt><dd>\(device.installedIterationNumber.map { "Iteration \($0)" } ?? "nothing installed by Minnow")</dd>
        <dt>Firmware</dt><dd>\(device.installedFirmwareHash.map { HTML("<code>\($0)</code> (as the board printed it)") } ?? "—")</dd>
        """
    }

    static func installOutcome(_ install: Components.Schemas.Install) -> HTML {
        switch install.status {
        case .failed: "<span class=\"badge status-failed\">failed</span> while \(install.failedStage?.rawValue ?? "?")"
        case .succeeded: "<span class=\"badge status-succeeded\">succeeded</span> iteration \(install.iterationNumber)"
        default:
            "<span class=\"badge status-running\">\(install.status.rawValue)</span> iteration \(install.iterationNumber)"
        }
    }

    static func device(
        session: WebSession, project: Project, page: DevicePage, errors: FormErrors, notice: String?
    ) -> HTML {
        let id = project.id?.apiString ?? "", device = page.device
        let usb = [device.usb?.vendorId, device.usb?.productId].compactMap { $0 }.joined(separator: ":")
        let options = page.trained.map { (value: $0.id, text: "Iteration \($0.number)") }
        let installForm: HTML =
            page.trained.isEmpty
            ? "<p class=\"muted\">Install a trained iteration; none has finished training yet.</p>"
            : """
            <form method="post" action="\(WebRoute.installOnDevice(id, device: device.id).path)" class="toolbar">\(csrfField(session))
            \(select("Iteration", name: "iterationId", options: options, selected: nil))
            <button type="submit">Install on \(device.name)</button></form>
            """
        let history = page.installs.map { install -> HTML in
            """
            <tr><td>\(Formats.date(install.createdAt))</td><td>\(install.requestedBy)</td><td>Iteration \(install.iterationNumber)</td>
            <td>\(installOutcome(install))\(install.error.map { HTML("<br><span class=\"muted\">\($0)</span>") })</td>
            <td>\(install.firmwareHash.map { HTML("<code>\(String($0.prefix(12)))</code>") })</td><td>\(install.bridge ?? "—")</td></tr>
            """
        }
        let observations = page.observations.map { observation -> HTML in
            let parity: HTML =
                switch observation.matchesCloud {
                case .some(true): "<span class=\"badge status-succeeded\">same as cloud</span>"
                case .some(false): "<span class=\"badge status-failed\">differs from cloud</span>"
                case .none: "—"
                }
            let frame: HTML =
                switch observation.frame {
                case .stored:
                    " · <a href=\"\(APILink.observationFrame(id, observation: observation.id).path)\">frame</a>"
                case .none: .empty
                default: " · frame \(observation.frame.rawValue)"
                }
            return """
                <tr><td>\(Formats.date(observation.receivedAt))</td><td>\(observation.iterationNumber.map { "\($0)" } ?? "—")</td>
                <td>\(observation.label ?? "—")\(frame)</td><td>\(observation.scores.first.map { Formats.decimal($0.score) } ?? "—")</td>
                <td>\(observation.ticks.map { Formats.count($0) } ?? "—")</td><td>\(parity)</td></tr>
                """
        }
        return layout(
            title: device.name, session: session, project: project, tab: .devices, notice: notice,
            """
            <h2>\(device.name) <span class="badge status-\(device.status.rawValue)">\(device.status.rawValue)</span></h2>
            <dl class="facts">
            <dt>Kind</dt><dd>\(device.kind.rawValue)</dd>
            \(device.kind == .camera ? HTML("<dt>Deployment</dt><dd>\(device.deployment ?? "none")</dd>") : boardFacts(device, usb: usb))
            <dt>Last seen</dt><dd>\(Formats.date(device.lastSeenAt))</dd>
            </dl>
            \(errorSummary(errors))
            \(page.camera ?? HTML("<h2>Install</h2>\(installForm)"))
            <h2>Install history</h2>
            \(page.installs.isEmpty ? HTML("<p class=\"muted\">No installs yet.</p>") : HTML("""
            <div class="table-wrap"><table id="install-history">
            <thead><tr><th scope="col">When</th><th scope="col">By</th><th scope="col">Iteration</th><th scope="col">Outcome</th><th scope="col">Firmware</th><th scope="col">Bridge</th></tr></thead>
            <tbody>\(history)</tbody></table></div>
            """))
            \(page.lastLog.map { HTML("<details><summary>Log of the last install</summary><pre class=\"log\" id=\"install-log\">\($0)</pre></details>") })
            <h2>Observations (\(Formats.count(page.observationCount)))</h2>
            \(page.observations.isEmpty ? HTML("<p class=\"muted\">The \(device.kind.rawValue) has reported nothing yet.</p>") : HTML("""
            <div class="table-wrap"><table id="observations">
            <thead><tr><th scope="col">Received</th><th scope="col">Iteration</th><th scope="col">Label</th><th scope="col">Score</th><th scope="col">Ticks</th><th scope="col">Parity</th></tr></thead>
            <tbody>\(observations)</tbody></table></div>
            """))
            <form method="post" action="\(WebRoute.deleteDevice(id, device: device.id).path)" data-confirm="Delete \(device.name) with its install history and observations?">\(csrfField(session))<button type="submit" class="danger">Delete device</button></form>
            """)
    }
}
