// USB discovery on a sysfs fixture tree: ACM and usb-serial ports, VID:PID → profile or
// unknown chip, bootloader mode, missing serial numbers, by-id names, a devnode that is a
// symlink elsewhere, and non-USB ttys ignored.
import XCTest
@testable import MinnowBridge

final class USBDiscoveryTests: XCTestCase {
    func testFindsEveryBoardTheWayPyserialDoes() throws {
        var boards = SysfsFixture.standardBoards
        boards[0].devLink = "/tmp/somewhere/else/ttyACM0"
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
        XCTAssertEqual(BoardTable.identify(vid: 0x1234, pid: 0x0abc).description, "USB device 1234:0abc (board unknown)")
        XCTAssertNil(BoardTable.identify(vid: 0x1234, pid: 0x0abc).profile)
    }
}
