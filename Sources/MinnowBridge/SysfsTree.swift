// Writes a Linux sysfs + /dev tree for USB serial boards under any root, laid out as the kernel
// and udev do it: the USB device under /sys/devices with idVendor, idProduct, serial,
// manufacturer and product; its interface and (for usb-serial) port directories; relative
// symlinks from /sys/class/tty and /sys/bus into /sys/devices and `subsystem` links into
// /sys/bus; /dev/<name> and a /dev/serial/by-id link. USBScanner reads such a tree exactly as it
// reads `/`, so a board without USB (an emulated one, or a test fixture) can be discovered.
import Foundation

public enum SysfsTree {
    /// How the tty is attached: a CDC-ACM device (`ttyACM*`, subsystem `usb`) or a USB-serial
    /// converter (`ttyUSB*`, subsystem `usb-serial`). The raw value is `DiscoveredPort.subsystem`.
    public enum Subsystem: String, Sendable {
        case cdcACM = "usb"
        case usbSerial = "usb-serial"
    }

    /// Adds one USB serial board to a sysfs + /dev tree under `root` the way Linux lays it out
    /// (relative symlinks, as USBScanner reads it), with /dev/<name> a symlink to `tty` and a
    /// /dev/serial/by-id link named as udev names it (`usb-<manufacturer>_<product>_<serial>-if<NN>`,
    /// plus `-port0` for usb-serial) unless `byId` is false. `interface` is the USB interface
    /// number the tty belongs to (2 for an ST-LINK's virtual COM port). Adding a board with the
    /// same name again replaces its links. Returns the device path under root (`root/dev/<name>`).
    @discardableResult
    public static func addBoard(
        root: String, name: String = "ttyACM0", tty: String, vid: UInt16, pid: UInt16, serial: String?,
        manufacturer: String?, product: String?, usbPath: String = "1-1", subsystem: Subsystem = .cdcACM,
        interface: Int = 0, byId: Bool = true
    ) throws -> String {
        let tree = Writer(root: root)
        let bus = usbPath.split(separator: "-").first.map(String.init) ?? "1"
        let device = "sys/devices/pci0000:00/0000:00:14.0/usb\(bus)/\(usbPath)"
        try tree.mkdir(device)
        try tree.mkdir("sys/bus/usb/devices")
        try tree.write("\(device)/idVendor", BoardTable.hex4(vid) + "\n")
        try tree.write("\(device)/idProduct", BoardTable.hex4(pid) + "\n")
        try tree.write(
            "\(device)/bNumInterfaces", String(format: "%2d", max(interface + 1, subsystem == .cdcACM ? 2 : 1)) + "\n")
        for (file, value) in [("serial", serial), ("manufacturer", manufacturer), ("product", product)] {
            if let value { try tree.write("\(device)/\(file)", value + "\n") } else { tree.remove("\(device)/\(file)") }
        }
        try tree.link("sys/bus/usb/devices/\(usbPath)", to: device)
        try tree.link("\(device)/subsystem", to: "sys/bus/usb")
        let interfaceDir = "\(device)/\(usbPath):1.\(interface)"
        try tree.mkdir(interfaceDir)
        try tree.link("\(interfaceDir)/subsystem", to: "sys/bus/usb")
        let ttyDevice: String
        switch subsystem {
        case .cdcACM:
            ttyDevice = interfaceDir
        case .usbSerial:
            ttyDevice = "\(interfaceDir)/\(name)"
            try tree.mkdir(ttyDevice)
            try tree.mkdir("sys/bus/usb-serial/devices")
            try tree.link("\(ttyDevice)/subsystem", to: "sys/bus/usb-serial")
            try tree.link("sys/bus/usb-serial/devices/\(name)", to: ttyDevice)
        }
        let classDir = "\(ttyDevice)/tty/\(name)"
        try tree.mkdir(classDir)
        try tree.write("\(classDir)/dev", (subsystem == .cdcACM ? "166:0" : "188:0") + "\n")
        try tree.link("\(classDir)/device", to: ttyDevice)
        try tree.mkdir("sys/class/tty")
        try tree.link("sys/class/tty/\(name)", to: classDir)
        try tree.mkdir("dev")
        tree.remove("dev/\(name)")
        try FileManager.default.createSymbolicLink(atPath: tree.path("dev/\(name)"), withDestinationPath: tty)
        if byId {
            try tree.mkdir("dev/serial/by-id")
            let vendor = manufacturer.map(udevSafe) ?? BoardTable.hex4(vid)
            let model = product.map(udevSafe) ?? BoardTable.hex4(pid)
            let id = [vendor, model, serial.map(udevSafe)].compactMap { $0 }.joined(separator: "_")
            let suffix = String(format: "-if%02d", interface) + (subsystem == .usbSerial ? "-port0" : "")
            try tree.link("dev/serial/by-id/usb-\(id)\(suffix)", to: "dev/\(name)")
        }
        return tree.path("dev/\(name)")
    }

    /// udev's escaping of USB strings in by-id names: whitespace runs become one `_`, characters
    /// outside `[A-Za-z0-9#+-.:=@_]` become `_`.
    static func udevSafe(_ text: String) -> String {
        let collapsed = text.trimmingCharacters(in: .whitespaces)
            .split(whereSeparator: \.isWhitespace).joined(separator: "_")
        return String(
            collapsed.map { c -> Character in
                c.isASCII && (c.isLetter || c.isNumber || "#+-.:=@_".contains(c)) ? c : "_"
            })
    }

    private struct Writer {
        let root: String

        func path(_ relative: String) -> String { root.hasSuffix("/") ? root + relative : root + "/" + relative }

        func mkdir(_ relative: String) throws {
            try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
        }

        func write(_ relative: String, _ text: String) throws {
            try text.write(toFile: path(relative), atomically: false, encoding: .utf8)
        }

        func remove(_ relative: String) { unlink(path(relative)) }

        /// A relative symlink at `relative` pointing at `target` (both relative to the root),
        /// replacing what was there.
        func link(_ relative: String, to target: String) throws {
            let from = relative.split(separator: "/").dropLast()
            let to = target.split(separator: "/")
            var common = 0
            while common < from.count, common < to.count, from[from.startIndex + common] == to[common] { common += 1 }
            let up = Array(repeating: "..", count: from.count - common)
            let destination = (up + to.dropFirst(common).map(String.init)).joined(separator: "/")
            remove(relative)
            try FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: destination)
        }
    }
}
