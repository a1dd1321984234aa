// Test helper: builds a Linux sysfs + /dev tree under a temporary root, laid out as the kernel
// does it (relative symlinks from /sys/class/tty into /sys/devices, `subsystem` links into
// /sys/bus), so USBScanner can be tested without USB. A board's `dev/<tty>` can be a symlink
// to any other tty path (an emulated board's socat pty).
import Foundation

struct FixtureBoard {
    var tty: String                 // ttyACM0 / ttyUSB0
    var vid: String                 // "2341"
    var pid: String
    var serial: String?
    var manufacturer: String?
    var product: String?
    var usbPath: String             // "1-1.2"
    var byId: String?               // by-id link name
    var devLink: String? = nil      // when set, dev/<tty> is a symlink to this path

    var isACM: Bool { tty.hasPrefix("ttyACM") }
}

struct SysfsFixture {
    let root: String

    static let standardBoards: [FixtureBoard] = [
        FixtureBoard(tty: "ttyACM0", vid: "2341", pid: "805a", serial: "NANO33BLE0001", manufacturer: "Arduino",
                     product: "Nano 33 BLE", usbPath: "1-1.2",
                     byId: "usb-Arduino_Nano_33_BLE_NANO33BLE0001-if00"),
        FixtureBoard(tty: "ttyACM1", vid: "2e8a", pid: "000a", serial: "E660583883456C2B", manufacturer: "Raspberry Pi",
                     product: "Pico", usbPath: "1-1.3",
                     byId: "usb-Raspberry_Pi_Pico_E660583883456C2B-if00"),
        FixtureBoard(tty: "ttyACM2", vid: "0483", pid: "374b", serial: "0671FF535155878281123456", manufacturer: "STMicroelectronics",
                     product: "STM32 STLink", usbPath: "1-1.4",
                     byId: "usb-STMicroelectronics_STM32_STLink_0671FF535155878281123456-if02"),
        FixtureBoard(tty: "ttyUSB0", vid: "1a86", pid: "7523", serial: nil, manufacturer: nil,
                     product: "USB2.0-Serial", usbPath: "3-2",
                     byId: "usb-1a86_USB2.0-Serial-if00-port0"),
        FixtureBoard(tty: "ttyACM10", vid: "2e8a", pid: "0003", serial: "E660583883456C2C", manufacturer: "Raspberry Pi",
                     product: "RP2 Boot", usbPath: "1-1.5", byId: nil),
    ]

    /// Builds the tree in a new temporary directory.
    static func make(boards: [FixtureBoard] = standardBoards) throws -> SysfsFixture {
        let root = NSTemporaryDirectory() + "minnow-sysfs-\(UUID().uuidString)"
        let f = SysfsFixture(root: root)
        try f.mkdir("sys/bus/usb/devices")
        try f.mkdir("sys/bus/usb-serial/devices")
        try f.mkdir("sys/class/tty")
        try f.mkdir("dev/serial/by-id")
        // a non-USB tty that must be ignored (no device link), and an unrelated file
        try f.mkdir("sys/class/tty/ttyS0")
        try f.write("dev/ttyS0", "")
        for b in boards { try f.add(b) }
        return f
    }

    func add(_ b: FixtureBoard) throws {
        let bus = b.usbPath.split(separator: "-").first.map(String.init) ?? "1"
        let dev = "sys/devices/pci0000:00/0000:00:14.0/usb\(bus)/\(b.usbPath)"
        try mkdir(dev)
        try write("\(dev)/idVendor", b.vid + "\n")
        try write("\(dev)/idProduct", b.pid + "\n")
        try write("\(dev)/bNumInterfaces", (b.isACM ? " 2" : " 1") + "\n")
        if let s = b.serial { try write("\(dev)/serial", s + "\n") }
        if let m = b.manufacturer { try write("\(dev)/manufacturer", m + "\n") }
        if let p = b.product { try write("\(dev)/product", p + "\n") }
        try link("sys/bus/usb/devices/\(b.usbPath)", to: dev)
        try link("\(dev)/subsystem", to: "sys/bus/usb")
        let interface = "\(dev)/\(b.usbPath):1.0"
        try mkdir(interface)
        try link("\(interface)/subsystem", to: "sys/bus/usb")
        let device: String
        if b.isACM {
            device = interface
        } else {
            device = "\(interface)/\(b.tty)"
            try mkdir(device)
            try link("\(device)/subsystem", to: "sys/bus/usb-serial")
            try link("sys/bus/usb-serial/devices/\(b.tty)", to: device)
        }
        let classDir = "\(device)/tty/\(b.tty)"
        try mkdir(classDir)
        try write("\(classDir)/dev", "166:0\n")
        try link("\(classDir)/device", to: device)
        try link("sys/class/tty/\(b.tty)", to: classDir)
        if let target = b.devLink {
            try FileManager.default.createSymbolicLink(atPath: path("dev/\(b.tty)"), withDestinationPath: target)
        } else {
            try write("dev/\(b.tty)", "")
        }
        if let id = b.byId { try link("dev/serial/by-id/\(id)", to: "dev/\(b.tty)") }
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    private func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
    }

    private func write(_ relative: String, _ text: String) throws {
        try text.write(toFile: path(relative), atomically: false, encoding: .utf8)
    }

    /// A relative symlink at `relative` pointing at `target` (both relative to the root).
    private func link(_ relative: String, to target: String) throws {
        let from = relative.split(separator: "/").dropLast()
        let to = target.split(separator: "/")
        var common = 0
        while common < from.count, common < to.count, from[from.startIndex + common] == to[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        let rel = (up + to.dropFirst(common).map(String.init)).joined(separator: "/")
        try FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: rel)
    }
}
