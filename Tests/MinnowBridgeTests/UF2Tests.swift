// The UF2 writer (block layout, magic numbers, addresses, block count, family ID, padding) and
// the uf2-copy flasher on a temporary "drive" directory with INFO_UF2.TXT.
import XCTest
@testable import MinnowBridge

final class UF2Tests: XCTestCase {
    func u32(_ b: [UInt8], _ o: Int) -> UInt32 {
        UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
    }

    func testBlocks() throws {
        // 600 bytes at 0x10000000 (3 pages) and 10 bytes at 0x10001080 (inside one more page).
        let first = (0..<600).map { UInt8($0 & 0xff) }
        let segments = [
            FirmwareFile.Segment(address: 0x1000_0000, bytes: first),
            FirmwareFile.Segment(address: 0x1000_1080, bytes: Array(repeating: 0x5a, count: 10)),
        ]
        let uf2 = UF2.encode(segments, familyID: UF2.familyRP2040)
        XCTAssertEqual(uf2.count, 4 * 512)
        let expectedAddresses: [UInt32] = [0x1000_0000, 0x1000_0100, 0x1000_0200, 0x1000_1000]
        for i in 0..<4 {
            let block = Array(uf2[i * 512..<(i + 1) * 512])
            XCTAssertEqual(u32(block, 0), 0x0A32_4655)
            XCTAssertEqual(u32(block, 4), 0x9E5D_5157)
            XCTAssertEqual(u32(block, 8), 0x2000)
            XCTAssertEqual(u32(block, 12), expectedAddresses[i])
            XCTAssertEqual(u32(block, 16), 256)
            XCTAssertEqual(u32(block, 20), UInt32(i))
            XCTAssertEqual(u32(block, 24), 4)
            XCTAssertEqual(u32(block, 28), 0xE48B_FF56)
            XCTAssertEqual(u32(block, 508), 0x0AB1_6F30)
        }
        XCTAssertEqual(Array(uf2[32..<288]), Array(first[0..<256]))
        XCTAssertEqual(Array(uf2[1024 + 32..<1024 + 32 + 88]), Array(first[512..<600]))
        XCTAssertEqual(uf2[1024 + 32 + 88], 0, "the rest of a partial page is zero")
        XCTAssertEqual(Array(uf2[1536 + 32 + 0x80..<1536 + 32 + 0x8a]), Array(repeating: 0x5a, count: 10))
    }

    func testELFSegmentsAreRead() throws {
        let elf = try TestELF.temporary([(0x1000_0000, [1, 2, 3]), (0x2000_0000, [4])])
        defer { try? FileManager.default.removeItem(atPath: elf) }
        let segments = try FirmwareFile(path: elf).loadSegments()
        XCTAssertEqual(
            segments, [.init(address: 0x1000_0000, bytes: [1, 2, 3]), .init(address: 0x2000_0000, bytes: [4])])
        XCTAssertThrowsError(try FirmwareFile(path: "/nonexistent.elf").loadSegments())
    }

    func testUF2CopyWritesToTheDrive() throws {
        let drive = NSTemporaryDirectory() + "minnow-drive-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: drive, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: drive) }
        let elf = try TestELF.temporary([(0x1000_0000, Array(repeating: 7, count: 700))])
        defer { try? FileManager.default.removeItem(atPath: elf) }
        var options = FlasherOptions()
        options.uf2Drive = drive
        let flasher = try UF2CopyFlasher(options: options)

        XCTAssertThrowsError(try flasher.flash(FirmwareFile(path: elf))) { error in
            guard case FlashError.driveNotFound(let m) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(m.contains("INFO_UF2.TXT"))
        }

        try "UF2 Bootloader v3.0\nModel: Raspberry Pi RP2\nBoard-ID: RPI-RP2\n".write(
            toFile: drive + "/INFO_UF2.TXT", atomically: true, encoding: .utf8)
        let result = try flasher.flash(FirmwareFile(path: elf))
        XCTAssertTrue(result.output.contains("3 UF2 blocks"))
        let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: drive + "/NEW.UF2")))
        XCTAssertEqual(written.count, 3 * 512)
        XCTAssertEqual(u32(written, 24), 3)
        XCTAssertEqual(u32(written, 512 + 12), 0x1000_0100)
    }
}
