// Test fixture: a sysfs + /dev tree under a temporary root with the standard boards (an ACM
// Nano 33 BLE, Pico, ST-LINK, a CH340 on usb-serial, a Pico in BOOTSEL without a by-id link) and
// a non-USB ttyS0, written with the library's SysfsTree. A board's `dev/<tty>` points at
// `devLink` (an emulated board's socat pty; created as a file when missing) or at a file under
// root/nodes.
import Foundation
import MinnowBridge

struct FixtureBoard {
    var tty: String  // ttyACM0 / ttyUSB0
    var vid: UInt16
    var pid: UInt16
    var serial: String?
    var manufacturer: String?
    var product: String?
    var usbPath: String  // "1-1.2"
    var interface = 0
    var byId = true
    var devLink: String? = nil  // when set, dev/<tty> is a symlink to this path

    var subsystem: SysfsTree.Subsystem { tty.hasPrefix("ttyACM") ? .cdcACM : .usbSerial }
}

struct SysfsFixture {
    let root: String

    static let standardBoards: [FixtureBoard] = [
        FixtureBoard(
            tty: "ttyACM0", vid: 0x2341, pid: 0x805a, serial: "NANO33BLE0001", manufacturer: "Arduino",
            product: "Nano 33 BLE", usbPath: "1-1.2"),
        FixtureBoard(
            tty: "ttyACM1", vid: 0x2e8a, pid: 0x000a, serial: "E660583883456C2B", manufacturer: "Raspberry Pi",
            product: "Pico", usbPath: "1-1.3"),
        FixtureBoard(
            tty: "ttyACM2", vid: 0x0483, pid: 0x374b, serial: "0671FF535155878281123456",
            manufacturer: "STMicroelectronics",
            product: "STM32 STLink", usbPath: "1-1.4", interface: 2),
        FixtureBoard(
            tty: "ttyUSB0", vid: 0x1a86, pid: 0x7523, serial: nil, manufacturer: nil,
            product: "USB2.0-Serial", usbPath: "3-2"),
        FixtureBoard(
            tty: "ttyACM10", vid: 0x2e8a, pid: 0x0003, serial: "E660583883456C2C", manufacturer: "Raspberry Pi",
            product: "RP2 Boot", usbPath: "1-1.5", byId: false),
    ]

    /// Builds the tree in a new temporary directory.
    static func make(boards: [FixtureBoard] = standardBoards) throws -> SysfsFixture {
        let root = NSTemporaryDirectory() + "minnow-sysfs-\(UUID().uuidString)"
        let f = SysfsFixture(root: root)
        // a non-USB tty that must be ignored (no device link)
        try FileManager.default.createDirectory(
            atPath: f.path("sys/class/tty/ttyS0"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: f.path("dev"), withIntermediateDirectories: true)
        try "".write(toFile: f.path("dev/ttyS0"), atomically: false, encoding: .utf8)
        // Each board's node points at a file of its own (the scanner skips dangling nodes, as an
        // unplugged board's).
        try FileManager.default.createDirectory(atPath: f.path("nodes"), withIntermediateDirectories: true)
        for b in boards {
            let node = b.devLink ?? f.path("nodes/\(b.tty)")
            if !FileManager.default.fileExists(atPath: node) {
                FileManager.default.createFile(atPath: node, contents: nil)
            }
            try SysfsTree.addBoard(
                root: root, name: b.tty, tty: node, vid: b.vid, pid: b.pid,
                serial: b.serial, manufacturer: b.manufacturer, product: b.product, usbPath: b.usbPath,
                subsystem: b.subsystem, interface: b.interface, byId: b.byId)
        }
        return f
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func remove() { try? FileManager.default.removeItem(atPath: root) }
}
