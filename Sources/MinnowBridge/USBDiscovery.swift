// Finds USB serial ports from Linux sysfs the way pyserial's list_ports_linux does, under a
// configurable root (default `/`; tests pass a fixture tree): glob `dev/ttyACM*` and
// `dev/ttyUSB*`, resolve `sys/class/tty/<name>/device`, take the subsystem (`usb` for CDC-ACM,
// `usb-serial` for ttyUSB), climb to the USB device and read idVendor, idProduct, serial,
// manufacturer, product; add the `dev/serial/by-id` link naming the port, and ask BoardTable
// what the VID:PID is. It only reads files; it opens no port and keeps no state between scans.
import Foundation

/// One serial port found on the USB bus.
public struct DiscoveredPort: Sendable, Equatable, Codable {
    /// The tty's name (`ttyACM0`).
    public var name: String
    /// The device node to open (under the scan root; may be a symlink, e.g. to a pty in tests).
    public var devicePath: String
    /// The `/dev/serial/by-id/...` link that points at it, under the scan root, if any.
    public var byIdPath: String?
    public var vid: UInt16
    public var pid: UInt16
    /// The USB serial number (nil when the device has none, as many CH340s).
    public var serialNumber: String?
    public var manufacturer: String?
    public var product: String?
    /// The USB device's bus path (`1-1.2`), stable for a given physical socket.
    public var usbPath: String
    /// `usb` (CDC-ACM) or `usb-serial`.
    public var subsystem: String
    /// What the board table says.
    public var identity: BoardIdentity

    /// The path to open: the by-id link when there is one (it survives renumbering and comes
    /// back under the same name after a board re-enumerates), else the device node.
    public var preferredPath: String { byIdPath ?? devicePath }

    /// `2341:805a`
    public var vidPid: String { "\(BoardTable.hex4(vid)):\(BoardTable.hex4(pid))" }
}

public struct USBScanner: Sendable {
    public var root: String

    public init(root: String = "/") {
        self.root = root
    }

    /// Every USB serial port under the root, sorted by name. Non-USB ttys (no `device` link,
    /// another subsystem, or unreadable ids) are skipped.
    public func scan() -> [DiscoveredPort] {
        let fm = FileManager.default
        let devDir = join("dev")
        let names = ((try? fm.contentsOfDirectory(atPath: devDir)) ?? [])
            .filter { $0.hasPrefix("ttyACM") || $0.hasPrefix("ttyUSB") }
            .filter { fm.fileExists(atPath: devDir + "/" + $0) }  // an unplugged board's node is gone (a dangling link)
            .sorted { USBScanner.sortKey($0) < USBScanner.sortKey($1) }
        let byId = byIdLinks()
        return names.compactMap { port(named: $0, byId: byId) }
    }

    /// ttyACM2 before ttyACM10, all ttyACM before ttyUSB.
    static func sortKey(_ name: String) -> (String, Int, String) {
        let prefix = String(name.prefix { !$0.isNumber })
        return (prefix, Int(name.dropFirst(prefix.count)) ?? Int.max, name)
    }

    private func port(named name: String, byId: [String: String]) -> DiscoveredPort? {
        guard let devicePath = realpath(join("sys/class/tty/\(name)/device")) else { return nil }
        guard let subsystemPath = realpath(devicePath + "/subsystem") else { return nil }
        let subsystem = (subsystemPath as NSString).lastPathComponent
        let interfacePath: String
        switch subsystem {
        case "usb": interfacePath = devicePath
        case "usb-serial": interfacePath = (devicePath as NSString).deletingLastPathComponent
        default: return nil
        }
        let usbDevice = (interfacePath as NSString).deletingLastPathComponent
        guard let vidText = readLine(usbDevice, "idVendor"), let vid = UInt16(vidText, radix: 16),
            let pidText = readLine(usbDevice, "idProduct"), let pid = UInt16(pidText, radix: 16)
        else { return nil }
        // pyserial names the interface (`1-1.2:1.0`) for multi-interface devices; the bridge
        // wants the physical socket, so it always names the device (`1-1.2`).
        let location = (usbDevice as NSString).lastPathComponent
        return DiscoveredPort(
            name: name,
            devicePath: join("dev/\(name)"),
            byIdPath: byId[name],
            vid: vid, pid: pid,
            serialNumber: readLine(usbDevice, "serial"),
            manufacturer: readLine(usbDevice, "manufacturer"),
            product: readLine(usbDevice, "product"),
            usbPath: location,
            subsystem: subsystem,
            identity: BoardTable.identify(vid: vid, pid: pid))
    }

    /// tty name → by-id link path. A link is matched by the last component of its target, so a
    /// fixture whose `dev/ttyACM0` itself points elsewhere still matches.
    private func byIdLinks() -> [String: String] {
        let dir = join("dev/serial/by-id")
        var map: [String: String] = [:]
        let fm = FileManager.default
        for link in ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
            guard let target = try? fm.destinationOfSymbolicLink(atPath: dir + "/" + link) else { continue }
            let name = (target as NSString).lastPathComponent
            if map[name] == nil { map[name] = dir + "/" + link }
        }
        return map
    }

    private func readLine(_ dir: String, _ file: String) -> String? {
        guard let text = try? String(contentsOfFile: dir + "/" + file, encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    private func join(_ relative: String) -> String {
        root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    private func realpath(_ path: String) -> String? {
        guard let r = Glibc.realpath(path, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }
}
