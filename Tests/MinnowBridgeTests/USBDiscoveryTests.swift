// USB discovery on a sysfs fixture tree: ACM and usb-serial ports, VID:PID → profile or
// unknown chip, bootloader mode, missing serial numbers, by-id names, a devnode that is a
// symlink elsewhere, and non-USB ttys ignored.
import XCTest
@testable import MinnowBridge

final class USBDiscoveryTests: XCTestCase {
    func testFindsEveryBoardTheWayPyserialDoes() throws {
        var boards = SysfsFixture.standardBoards
        let elsewhere = NSTemporaryDirectory() + "minnow-elsewhere-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        boards[0].devLink = elsewhere
        let fixture = try SysfsFixture.make(boards: boards)
        defer { fixture.remove() }
        let ports = USBScanner(root: fixture.root).scan()
        XCTAssertEqual(ports.map(\.name), ["ttyACM0", "ttyACM1", "ttyACM2", "ttyACM10", "ttyUSB0"])

        let nano = ports[0]
        XCTAssertEqual(nano.devicePath, fixture.path("dev/ttyACM0"))
        XCTAssertEqual(nano.byIdPath, fixture.path("dev/serial/by-id/usb-Arduino_Nano_33_BLE_NANO33BLE0001-if00"))
        XCTAssertEqual(nano.vidPid, "2341:805a")
        XCTAssertEqual(nano.serialNumber, "NANO33BLE0001")
        XCTAssertEqual(nano.manufacturer, "Arduino")
        XCTAssertEqual(nano.product, "Nano 33 BLE")
        XCTAssertEqual(nano.usbPath, "1-1.2")
        XCTAssertEqual(nano.subsystem, "usb")
        XCTAssertEqual(nano.identity.profile, "nano33ble")
        XCTAssertEqual(nano.identity.mode, .application)

        let pico = ports[1]
        XCTAssertEqual(pico.identity.profile, "pico")
        XCTAssertEqual(pico.usbPath, "1-1.3")

        let stlink = ports[2]
        XCTAssertNil(stlink.identity.profile)
        XCTAssertEqual(stlink.identity.suggestedProfile, "nucleo-l4r5zi")
        XCTAssertTrue(stlink.identity.description.contains("ST-LINK/V2-1"))

        let boot = ports[3]
        XCTAssertEqual(boot.identity.profile, "pico")
        XCTAssertEqual(boot.identity.mode, .bootloader)
        XCTAssertNil(boot.byIdPath)
        XCTAssertEqual(boot.preferredPath, fixture.path("dev/ttyACM10"))
        XCTAssertEqual(nano.preferredPath, nano.byIdPath)

        let ch340 = ports[4]
        XCTAssertEqual(ch340.subsystem, "usb-serial")
        XCTAssertEqual(ch340.vidPid, "1a86:7523")
        XCTAssertNil(ch340.serialNumber)
        XCTAssertNil(ch340.manufacturer)
        XCTAssertEqual(ch340.usbPath, "3-2")
        XCTAssertNil(ch340.identity.profile)
        XCTAssertEqual(ch340.identity.description, "CH340 USB-serial (board unknown)")
        XCTAssertEqual(ch340.identity.mode, .unknown)
        XCTAssertEqual(ch340.byIdPath, fixture.path("dev/serial/by-id/usb-1a86_USB2.0-Serial-if00-port0"))
    }

    func testABoardAddedWithSysfsTreeIsFoundWithItsIdentityAndItsTTY() throws {
        let root = NSTemporaryDirectory() + "minnow-sysfs-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tty = root + "-pty"
        FileManager.default.createFile(atPath: tty, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: tty) }

        let device = try SysfsTree.addBoard(
            root: root, tty: tty, vid: 0x0d28, pid: 0x0204, serial: "EMU-1a2b3c4d",
            manufacturer: "Minnow", product: "Emulated MPS2-AN386 (qemu)")
        try SysfsTree.addBoard(
            root: root, name: "ttyUSB3", tty: tty, vid: 0x10c4, pid: 0xea60, serial: nil,
            manufacturer: "Silicon Labs", product: "CP2102 USB to UART", usbPath: "2-4",
            subsystem: .usbSerial)
        XCTAssertEqual(device, root + "/dev/ttyACM0")

        let ports = USBScanner(root: root).scan()
        XCTAssertEqual(ports.map(\.name), ["ttyACM0", "ttyUSB3"])
        let emulated = ports[0]
        XCTAssertEqual(emulated.devicePath, device)
        XCTAssertEqual(
            URL(fileURLWithPath: emulated.devicePath).resolvingSymlinksInPath().path,
            URL(fileURLWithPath: tty).resolvingSymlinksInPath().path)
        XCTAssertEqual(emulated.vidPid, "0d28:0204")
        XCTAssertEqual(emulated.serialNumber, "EMU-1a2b3c4d")
        XCTAssertEqual(emulated.manufacturer, "Minnow")
        XCTAssertEqual(emulated.product, "Emulated MPS2-AN386 (qemu)")
        XCTAssertEqual(emulated.usbPath, "1-1")
        XCTAssertEqual(emulated.subsystem, "usb")
        XCTAssertEqual(emulated.identity.description, "Arm DAPLink (board unknown)")
        XCTAssertNil(emulated.identity.profile)
        XCTAssertEqual(
            emulated.byIdPath, root + "/dev/serial/by-id/usb-Minnow_Emulated_MPS2-AN386__qemu__EMU-1a2b3c4d-if00")
        XCTAssertEqual(
            URL(fileURLWithPath: emulated.preferredPath).resolvingSymlinksInPath().path,
            URL(fileURLWithPath: tty).resolvingSymlinksInPath().path)

        let cp2102 = ports[1]
        XCTAssertEqual(cp2102.subsystem, "usb-serial")
        XCTAssertEqual(cp2102.usbPath, "2-4")
        XCTAssertNil(cp2102.serialNumber)
        XCTAssertEqual(cp2102.identity.description, "CP210x USB-serial (board unknown)")
        XCTAssertEqual(cp2102.byIdPath, root + "/dev/serial/by-id/usb-Silicon_Labs_CP2102_USB_to_UART-if00-port0")

        // Adding the same board again (a new tty) replaces it.
        try SysfsTree.addBoard(
            root: root, tty: "/dev/null", vid: 0x0d28, pid: 0x0204, serial: "EMU-1a2b3c4d",
            manufacturer: "Minnow", product: "Emulated MPS2-AN386 (qemu)")
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: device), "/dev/null")
        XCTAssertEqual(USBScanner(root: root).scan().count, 2)
    }

    func testAnEmptyOrMissingRootFindsNothing() {
        XCTAssertEqual(USBScanner(root: "/nonexistent-\(UUID().uuidString)").scan(), [])
    }

    func testTheTable() {
        XCTAssertEqual(BoardTable.identify(vid: 0x2341, pid: 0x005a).profile, "nano33ble")
        XCTAssertEqual(BoardTable.identify(vid: 0x2341, pid: 0x005a).mode, .bootloader)
        XCTAssertEqual(BoardTable.identify(vid: 0x2e8a, pid: 0x0005).profile, "pico")
        XCTAssertEqual(BoardTable.identify(vid: 0x303a, pid: 0x1001).profile, "esp32-s3")
        XCTAssertEqual(BoardTable.identify(vid: 0x10c4, pid: 0xea60).description, "CP210x USB-serial (board unknown)")
        XCTAssertEqual(BoardTable.identify(vid: 0x0403, pid: 0x6001).description, "FT232 USB-serial (board unknown)")
        XCTAssertEqual(BoardTable.identify(vid: 0x0d28, pid: 0x0204).description, "Arm DAPLink (board unknown)")
        XCTAssertEqual(
            BoardTable.identify(vid: 0x1234, pid: 0x0abc).description, "USB device 1234:0abc (board unknown)")
        XCTAssertNil(BoardTable.identify(vid: 0x1234, pid: 0x0abc).profile)
    }
}
